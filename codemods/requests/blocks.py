"""Wrapping runs of statements in ``async with`` blocks.

An :class:`Op` names a run of statements of one block (by index) that goes inside an
``async with``; ``consume`` means the first statement of the run becomes the header
(``r = requests.get(u)`` -> ``async with session.get(u) as r:``). Ops of one block are
made to nest (an op that starts inside another and ends after it stretches the outer one),
and applied outermost first, lowest priority outside.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from codemods.requests import build

#: (updated first statement of the run) -> (context manager expression, ``as`` name,
#: statements to run before the ``async with``)
Header = Callable[
    [cst.BaseStatement], tuple[cst.BaseExpression, str | None, list[cst.BaseStatement]]
]


class Priority(enum.IntEnum):
    """Of two ops starting at one statement, the lower priority goes outside."""

    SESSION = 0  # the coroutine's own ClientSession
    USER_SESSION = 1  # a requests.Session() of the user's
    REQUEST = 2  # one request's response block


@dataclass
class Op:
    start: int
    end: int
    priority: Priority
    consume: bool
    header: Header
    empty_body: Callable[[], list[cst.BaseStatement]]
    #: comments of the rewritten call, kept on lines above the ``async with``
    comments: Callable[[], list[cst.Comment]] = list


def nest(ops: list[Op]) -> None:
    """Stretch ops so that any two are nested or disjoint."""
    changed = True
    while changed:
        changed = False
        for a in ops:
            for b in ops:
                if a is b:
                    continue
                outer = (a.start, a.priority) < (b.start, b.priority)
                if outer and a.start <= b.start <= a.end < b.end:
                    a.end = b.end
                    changed = True


def apply(
    block: cst.IndentedBlock, ops: list[Op], indent: int, dropped: set[int]
) -> cst.IndentedBlock:
    """``block`` with ``ops`` applied and the statements at ``dropped`` removed."""
    stmts: list[cst.BaseStatement | None] = [
        None if i in dropped else s for i, s in enumerate(block.body)
    ]
    body = _rebuild(stmts, 0, len(stmts) - 1, ops, indent)
    return block.with_changes(body=body or [build.statement(cst.Pass())])


def _rebuild(
    stmts: list[cst.BaseStatement | None], lo: int, hi: int, ops: Sequence[Op], indent: int
) -> list[cst.BaseStatement]:
    out: list[cst.BaseStatement] = []
    i = lo
    while i <= hi:
        starting = [o for o in ops if o.start == i]
        if not starting:
            stmt = stmts[i]
            if stmt is not None:
                out.append(stmt)
            i += 1
            continue
        op = min(starting, key=lambda o: (o.priority, -o.end))
        inner = [o for o in ops if o is not op and op.start <= o.start and o.end <= op.end]
        first = op.start + 1 if op.consume else op.start
        body = _rebuild(stmts, first, op.end, inner, indent + 4)
        if not body:
            body = op.empty_body()
        leading = stmts[op.start]
        assert leading is not None
        item, asname, before = op.header(leading)
        # the comments above the run (and any an inner op put there) now sit above this block
        above = leading.leading_lines if op.consume else body[0].leading_lines
        if not op.consume:
            body = [body[0].with_changes(leading_lines=()), *body[1:]]
        node = build.async_with(item, asname, body, indent)
        lines = [*above, *(cst.EmptyLine(comment=c) for c in op.comments())]
        if before:
            out.append(before[0].with_changes(leading_lines=lines))
            out.extend(before[1:])
        else:
            node = node.with_changes(leading_lines=lines)
        if op.consume and isinstance(leading, cst.SimpleStatementLine):
            # keep a trailing comment of the consumed statement on the new header
            block = node.body
            assert isinstance(block, cst.IndentedBlock)
            node = node.with_changes(body=block.with_changes(header=leading.trailing_whitespace))
        out.append(node)
        i = op.end + 1
    return out
