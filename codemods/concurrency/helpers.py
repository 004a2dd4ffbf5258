"""The module-level helpers the ``concurrency`` codemod adds once per module it rewrites.

``_await_all`` runs awaitables as tasks and returns their results in order, like
``asyncio.gather``, but when a call fails it cancels the calls still running and waits
for them before the exception propagates, as itself (``asyncio.gather`` leaves them
running; ``asyncio.TaskGroup``, Python 3.11+ only, raises an ``ExceptionGroup``). It
needs nothing newer than Python 3.10. Free of libcst.
"""

from __future__ import annotations

HELPER = "_await_all"
DICT_HELPER = "_await_all_dict"

HELPER_SOURCE = f'''\
async def {HELPER}(calls, limit=None):
    """Await calls together (at most limit at once) and return their results in order.

    The first exception a call raises propagates as itself, once the calls still
    running are cancelled and finished (added by async-migrate)."""
    runs = calls
    if limit is not None:
        semaphore = asyncio.Semaphore(limit)

        async def bounded(call):
            async with semaphore:
                return await call

        runs = [bounded(call) for call in calls]
    tasks = [asyncio.ensure_future(run) for run in runs]
    try:
        for finished in asyncio.as_completed(tasks):
            await finished
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        for call, task in zip(calls, tasks):
            if task.done():
                if not task.cancelled():
                    task.exception()  # retrieved: only the first one propagates
                if asyncio.iscoroutine(call):
                    call.close()  # one that never started is not "never awaited"
    return [task.result() for task in tasks]
'''

DICT_HELPER_SOURCE = f'''\
async def {DICT_HELPER}(pairs, limit=None):
    """{HELPER} for (key, call) pairs: a dict of the results, in the pairs' order
    (added by async-migrate)."""
    results = await {HELPER}([call for _, call in pairs], limit)
    return dict(zip([key for key, _ in pairs], results))
'''

SOURCES = {HELPER: HELPER_SOURCE, DICT_HELPER: DICT_HELPER_SOURCE}
#: What each helper needs besides itself.
NEEDS = {HELPER: (), DICT_HELPER: (HELPER,)}
