"""A blocking function passed by reference to something that runs it in a worker thread is
already the fix: ``await asyncio.to_thread(time.sleep, 1)``,
``loop.run_in_executor(None, requests.get, url)``, ``anyio.to_thread.run_sync(f)``,
``run_in_threadpool(f)``, ``sync_to_async(f)``, ``executor.submit(f)``, and
``functools.partial(f, ...)`` passed to one of them. Codemods neither rewrite nor report it.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

#: Functions that run their first argument in a worker thread.
_RUN_FIRST = frozenset(
    {
        "asyncio.to_thread",
        "anyio.to_thread.run_sync",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
        "asgiref.sync.sync_to_async",
    }
)
#: Methods (on an event loop, an executor) that run an argument in a worker, by position.
_METHODS = {"run_in_executor": 1, "submit": 0}
_PARTIAL = "functools.partial"

ParentOf = Callable[[cst.CSTNode], cst.CSTNode | None]
QualifiedNames = Callable[[cst.CSTNode], set[str]]


def is_offloaded(node: cst.CSTNode, parent_of: ParentOf, qualified_names: QualifiedNames) -> bool:
    """True if ``node`` (a reference to a function) is handed to a worker thread."""
    while True:
        argument = parent_of(node)
        if not isinstance(argument, cst.Arg) or argument.keyword is not None or argument.star:
            return False
        call = parent_of(argument)
        if not isinstance(call, cst.Call):
            return False
        index = _index(call, argument)
        names = qualified_names(call.func)
        if _PARTIAL in names and index == 0:
            node = call  # partial(f, ...) passed on: look at where the partial goes
            continue
        if names & _RUN_FIRST:
            return index == 0
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in _METHODS:
            return index == _METHODS[func.attr.value]
        return False


def _index(call: cst.Call, argument: cst.Arg) -> int:
    for position, candidate in enumerate(call.args):
        if candidate is argument:
            return position
    return -1
