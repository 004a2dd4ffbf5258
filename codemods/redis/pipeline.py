"""When a redis-py pipeline's commands run: buffered until ``execute()``, or at once.

A pipeline buffers each command (the call returns the pipeline) until ``execute()``,
except after ``watch()`` and until ``multi()``: then each command runs at once and returns
its result (redis-py's ``Pipeline.execute_command``, sync and asyncio alike). The mode of
each call is worked out over the coroutine's statements in order, joining the modes of
branches; a call whose mode depends on the path taken is ``UNKNOWN``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

import libcst as cst


class Mode(enum.Enum):
    BUFFERED = "buffered"
    IMMEDIATE = "immediate"
    UNKNOWN = "unknown"


def join(*modes: Mode) -> Mode:
    found = set(modes)
    return found.pop() if len(found) == 1 else Mode.UNKNOWN


#: What each pipeline method does to the mode; every other method is a command.
SWITCHES = {
    "__new__": Mode.BUFFERED,  # the pipeline's creation
    "watch": Mode.IMMEDIATE,
    "multi": Mode.BUFFERED,
    "execute": Mode.BUFFERED,
    "reset": Mode.BUFFERED,
    "unwatch": Mode.BUFFERED,
}
#: Pipeline methods that are coroutines in redis.asyncio whatever the mode.
ALWAYS_AWAITED = frozenset({"watch", "execute", "reset", "unwatch"})
#: Pipeline methods that are plain calls in redis.asyncio.
NEVER_AWAITED = frozenset({"multi"})
#: Pipeline methods whose async form differs too much to follow here.
REFUSED = frozenset(
    {"discard", "transaction", "load_scripts", "immediate_execute_command", "close"}
)


class ModeTracker:
    """Walks one coroutine body and records the mode each pipeline call runs in.

    ``ops(statement_part)`` yields, in evaluation order, the pipeline calls (with their
    method names) inside a piece of a statement (not inside nested functions)."""

    def __init__(self, ops: Callable[[cst.CSTNode], Iterable[tuple[cst.Call, str]]]) -> None:
        self._ops = ops
        self.modes: dict[cst.Call, Mode] = {}
        self._seen: list[Mode] = []

    def run(self, body: Iterable[cst.BaseStatement], mode: Mode) -> Mode:
        for statement in body:
            mode = self._statement(statement, mode)
        return mode

    # -- statements ---------------------------------------------------------

    def _statement(self, node: cst.BaseStatement, mode: Mode) -> Mode:
        if isinstance(node, cst.SimpleStatementLine):
            return self._part(node, mode)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return mode  # uses there are refused by the caller
        if isinstance(node, cst.If):
            mode = self._part(node.test, mode)
            then = self._block(node.body, mode)
            other = mode
            if isinstance(node.orelse, cst.If):
                other = self._statement(node.orelse, mode)
            elif isinstance(node.orelse, cst.Else):
                other = self._block(node.orelse.body, mode)
            return join(then, other)
        if isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                mode = self._part(node.iter, mode)
            else:
                mode = self._part(node.test, mode)
            entry = self._loop_entry(node, mode)
            after = self._loop_body(node, entry)
            if node.orelse is not None:
                after = join(after, self._block(node.orelse.body, after))
            return after
        if isinstance(node, cst.With):
            for item in node.items:
                mode = self._part(item.item, mode)
            return self._block(node.body, mode)
        if isinstance(node, (cst.Try, cst.TryStar)):
            start = len(self._seen)
            end = self._block(node.body, mode)
            during = join(mode, end, *self._seen[start:])
            ends = [self._block(node.orelse.body, end) if node.orelse else end]
            for handler in node.handlers:
                ends.append(self._block(handler.body, during))
            after = join(*ends)
            if node.finalbody is not None:
                after = self._block(node.finalbody.body, join(after, during))
            return after
        if isinstance(node, cst.Match):
            mode = self._part(node.subject, mode)
            ends = [self._block(case.body, mode) for case in node.cases]
            return join(mode, *ends)
        return Mode.UNKNOWN if self._has_ops(node) else mode

    def _block(self, block: cst.BaseSuite, mode: Mode) -> Mode:
        if isinstance(block, cst.IndentedBlock):
            return self.run(block.body, mode)
        return self._part(block, mode)

    def _loop_entry(self, node: cst.For | cst.While, mode: Mode) -> Mode:
        """The mode at the top of every iteration: the mode before the loop if the body
        never leaves it (at any point: ``continue`` and ``break`` may stop anywhere)."""
        trial = ModeTracker(self._ops)
        end = trial._block(node.body, mode)
        return join(mode, end, *trial._seen)

    def _loop_body(self, node: cst.For | cst.While, entry: Mode) -> Mode:
        start = len(self._seen)
        end = self._block(node.body, entry)
        return join(entry, end, *self._seen[start:])

    # -- calls --------------------------------------------------------------

    def _part(self, node: cst.CSTNode, mode: Mode) -> Mode:
        for call, method in self._ops(node):
            if method in SWITCHES:
                self.modes[call] = mode
                mode = SWITCHES[method]
            else:
                self.modes[call] = mode
            self._seen.append(mode)
        return mode

    def _has_ops(self, node: cst.CSTNode) -> bool:
        return any(True for _ in self._ops(node))
