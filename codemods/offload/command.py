"""The fallback: a blocking call that no earlier codemod rewrote ->
``await asyncio.to_thread(func, *args, **kwargs)``.

Runs last. Calls an earlier codemod rewrote are awaited by then and no longer match;
calls an earlier codemod refused to rewrite idiomatically are offloaded here (a single
offloaded call is always faithful), so nothing a linter flags is left blocking unless
offloading cannot help (thread-bound objects, streams) or is switched off.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.catalogue import BLOCKING_EXIT
from codemods.core.kinds import kind_of
from codemods.core.offloading import OffloadingCodemod
from codemods.offload.spec import FAMILIES, SPEC


class OffloadCommand(OffloadingCodemod):
    """Offload each remaining blocking call in a coroutine to a worker thread."""

    SPEC = SPEC
    FAMILIES = FAMILIES
    OFFLOADED = "AM601"
    NOT_OFFLOADED = "AM602"
    THREAD_BOUND = "AM603"
    CANNOT_HERE = "AM604"
    ASYNC_INSTEAD = "AM605"

    def visit_With(self, node: cst.With) -> None:
        if not self.in_coroutine() or node.asynchronous is not None:
            return
        for item in node.items:
            kind = kind_of(self, item.item)
            if kind in BLOCKING_EXIT:
                self.report(node, self.ASYNC_INSTEAD, f"with {kind.value}: {BLOCKING_EXIT[kind]}")
