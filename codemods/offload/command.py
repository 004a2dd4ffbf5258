"""The fallback: a blocking call that no earlier codemod rewrote ->
``await asyncio.to_thread(func, *args, **kwargs)``.

Runs last. Calls an earlier codemod rewrote are awaited by then and no longer match;
calls an earlier codemod refused to rewrite idiomatically are offloaded here (a single
offloaded call is always faithful), so nothing a linter flags is left blocking unless
offloading cannot help (thread-bound objects, streams) or is switched off.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.catalogue import (
    BLOCKING_EXIT,
    DATABASE,
    FILES,
    HTTP,
    INPUT,
    NETWORK,
    REDIS,
    REQUESTS,
    SLEEP,
    SUBPROCESS,
    THREADS,
)
from codemods.core.offloading import OffloadingCodemod, kind_of


class OffloadCommand(OffloadingCodemod):
    """Offload each remaining blocking call in a coroutine to a worker thread."""

    NAME = "offload"
    RUFF_CODES = {
        "AM601": tuple(
            f"ASYNC{n}" for n in (210, 211, 212, 220, 221, 222, 230, 231, 232, 240, 250, 251)
        )
    }
    DESCRIPTION = "a blocking call in a coroutine -> await asyncio.to_thread(func, *args)"
    FAMILIES = frozenset(
        {REQUESTS, HTTP, SUBPROCESS, FILES, INPUT, SLEEP, DATABASE, REDIS, NETWORK, THREADS}
    )
    OFFLOADED = "AM601"
    NOT_OFFLOADED = "AM602"
    THREAD_BOUND = "AM603"
    CANNOT_HERE = "AM604"
    ASYNC_INSTEAD = "AM605"
    CODES = {
        "AM601": "a blocking call offloaded to a thread: await asyncio.to_thread(func, *args)",
        "AM602": "a blocking call left as is because offloading is off (--no-offload)",
        "AM603": "a blocking call on an object bound to its thread or unsafe in another "
        "(sqlite3, SQLAlchemy, RLock, boto3 resources); use an async driver",
        "AM604": "a blocking call that cannot be offloaded here (generator expression, "
        "asyncio shadowed, a stream read later)",
        "AM605": "a blocking call offloading would not fix (a cursor or generator read "
        "later, a blocking socket, a redis-py lock or pub/sub): use the async API named",
    }

    def visit_With(self, node: cst.With) -> None:
        if not self.in_coroutine() or node.asynchronous is not None:
            return
        for item in node.items:
            kind = kind_of(self, item.item)
            if kind in BLOCKING_EXIT:
                self.report(node, self.ASYNC_INSTEAD, f"with {kind}: {BLOCKING_EXIT[kind]}")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        found = self.blocking_call(original_node)
        if found is None:
            return updated_node
        return self.offload_or_report(original_node, updated_node, found)
