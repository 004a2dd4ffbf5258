"""The base of the codemods that offload a blocking call to a thread when nothing
better is faithful: :class:`OffloadingCodemod`.

Offloading one call, ``await asyncio.to_thread(func, *args, **kwargs)``, is faithful for
any callable: the callee and the arguments are evaluated in the coroutine in the same
order as before, the call returns or raises the same, and only the call itself runs in a
worker thread. It is wrong only for objects bound to the thread that made them
(``sqlite3`` connections and cursors), which are reported instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.blocking import Blocking, classify
from codemods.core.catalogue import Family
from codemods.core.sync_uses import synchronous_use


class OffloadingCodemod(AsyncCodemod):
    """A codemod that offloads the blocking calls of its ``FAMILIES`` it cannot rewrite
    idiomatically (``offload=False``: reports them instead). A subclass rewrites the calls
    it can in :meth:`idiomatic`."""

    FAMILIES: ClassVar[frozenset[Family]] = frozenset()
    #: Codes: offloaded (rewrite), offloading switched off, thread-bound, not here.
    OFFLOADED: ClassVar[str] = ""
    NOT_OFFLOADED: ClassVar[str] = ""
    THREAD_BOUND: ClassVar[str] = ""
    CANNOT_HERE: ClassVar[str] = ""
    #: A call offloading would not make faithful or non-blocking, with an async API to
    #: use instead (defaults to ``CANNOT_HERE``).
    ASYNC_INSTEAD: ClassVar[str] = ""

    def __init__(
        self, context: CodemodContext, offload: bool = True, leave_alone: Sequence[str] = ()
    ) -> None:
        super().__init__(context)
        self.offload = offload
        #: Families of blocking calls whose codemod is ignored: neither offloaded nor reported.
        self.families_left_alone = frozenset(leave_alone)

    def _ours(self, found: Blocking) -> bool:
        """A call of this codemod's families, whose own codemod is not ignored."""
        return found.family in self.FAMILIES and found.family.value not in self.families_left_alone

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        found = self.blocking_call(original_node)
        if found is None:
            return updated_node
        rewritten = self.idiomatic(original_node, updated_node, found)
        if rewritten is not None:
            return rewritten
        if self.left_alone_here(original_node):
            return updated_node  # its idiomatic rewrite is off in this run
        return self.offload_or_report(original_node, updated_node, found)

    def idiomatic(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression | None:
        """The codemod's own rewrite of the blocking call ``found``, or None to offload it
        (or report it)."""
        return None

    def blocking_call(self, original: cst.Call) -> Blocking | None:
        """The blocking call of this codemod's families ``original`` is, when it runs
        in a coroutine and is not awaited; reports it when it cannot be rewritten here."""
        if self.under_thread_lock():
            found = classify(self, original)
            if found is not None and self._ours(found):
                self.report(
                    original,
                    self.CANNOT_HERE,
                    f"blocking call {found.name}() left unchanged: {LOCKED_REASON}",
                )
            return None
        if not (self.in_coroutine() or self.in_generator_expression()):
            return None
        found = classify(self, original)
        if found is None or not self._ours(found):
            return None
        if self.suppressed(original, self.OFFLOADED):
            return None
        if isinstance(self.parent_of(original), cst.Await):
            if self.qualified_names(original.func):  # really the blocking function
                self.report(
                    original,
                    self.CANNOT_HERE,
                    f"{found.name}() is awaited but returns no awaitable: it blocks, then the "
                    "await raises TypeError; fix by hand",
                )
            return None
        if self.in_generator_expression():
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}() in a generator expression inside a coroutine; "
                "awaiting it there would turn the generator into an async generator",
            )
            return None
        if not self.module_name_free(original, "asyncio"):
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}() where the name 'asyncio' is bound to something else",
            )
            return None
        return found

    def offload_or_report(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression:
        """``await asyncio.to_thread(...)`` for the call, or a finding saying why not."""
        if found.thread_bound:
            why = found.thread_reason or (
                "sqlite3 connections and cursors are bound to the thread that made them, so "
                "it cannot be offloaded; use an async driver (aiosqlite)"
            )
            self.report(original, self.THREAD_BOUND, f"blocking call {found.name}(): {why}")
            return updated
        if found.async_instead:
            self.report(
                original,
                self.ASYNC_INSTEAD or self.CANNOT_HERE,
                f"blocking call {found.name}(): {found.async_instead}",
            )
            return updated
        if found.not_offloadable:
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}(): {found.not_offloadable}; migrate by hand",
            )
            return updated
        still_blocking = synchronous_use(self, original)
        if still_blocking:
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}() not offloaded: {still_blocking}; migrate by hand",
            )
            return updated
        if not self.offload:
            self.report(
                original,
                self.NOT_OFFLOADED,
                f"blocking call {found.name}() left as is (offloading to a thread is off)",
            )
            return updated
        self.fixed(
            original,
            self.OFFLOADED,
            f"blocking call {found.name}() offloaded to a thread: await asyncio.to_thread(...)",
        )
        return self.offloaded(original, updated)
