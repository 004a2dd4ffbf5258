"""Where nodes sit in a coroutine: parents, enclosing statements and blocks, loops."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from codemods.core.lookups import Lookups
from codemods.core.navigation import NESTED, encloses, runs_directly_in
from codemods.core.problems import Problem

LOOPS = (cst.For, cst.While)
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class CoroutineTree:
    """Navigation in one coroutine (``func``) through ``lookups``; collects the problems
    found in it."""

    def __init__(self, lookups: Lookups, func: cst.FunctionDef) -> None:
        self.lookups = lookups
        self.func = func
        self.problems: list[Problem] = []

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.lookups.parent_of(node)

    def refuse(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.problems.append(Problem(node, code, message))

    def walk(self) -> Iterator[tuple[cst.CSTNode, bool]]:
        """Nodes that run directly in this coroutine, and whether in a generator expression."""
        stack: list[tuple[cst.CSTNode, bool]] = [(self.func.body, False)]
        while stack:
            node, in_genexp = stack.pop()
            yield node, in_genexp
            children = [c for c in node.children if not isinstance(c, NESTED)]
            genexp = in_genexp or isinstance(node, cst.GeneratorExp)
            stack.extend((c, genexp) for c in reversed(children))

    def in_coroutine(self, node: cst.CSTNode, awaiting: bool) -> bool:
        """True if ``node`` runs in this coroutine (and, if ``awaiting``, can ``await``)."""
        return runs_directly_in(self.lookups, node, self.func, awaiting=awaiting)

    def statement_of(self, node: cst.CSTNode) -> cst.BaseStatement | None:
        """The statement of an indented block that contains ``node``."""
        current: cst.CSTNode | None = node
        while current is not None and current is not self.func:
            up = self.parent(current)
            if isinstance(current, cst.SimpleStatementSuite):
                return None  # a one-line body: ``if x: call()``
            if isinstance(current, cst.BaseStatement):
                return current if isinstance(up, cst.IndentedBlock) else None
            current = up
        return None

    def block_of(self, stmt: cst.BaseStatement) -> tuple[cst.IndentedBlock, int]:
        block = self.parent(stmt)
        assert isinstance(block, cst.IndentedBlock)
        return block, index_in(block, stmt)

    def path(self, stmt: cst.BaseStatement) -> list[tuple[cst.IndentedBlock, int]]:
        """(block, index) pairs from the function body down to ``stmt``."""
        out = []
        current: cst.BaseStatement | None = stmt
        while current is not None:
            block, index = self.block_of(current)
            out.append((block, index))
            if block is self.func.body:
                break
            current = self._block_statement(block)
        return list(reversed(out))

    def _block_statement(self, block: cst.IndentedBlock) -> cst.BaseStatement | None:
        """The statement of an outer indented block that owns ``block`` (through ``elif``
        and ``else`` chains too)."""
        current = self.parent(block)
        while current is not None and current is not self.func:
            up = self.parent(current)
            if isinstance(current, cst.BaseStatement) and isinstance(up, cst.IndentedBlock):
                return current
            current = up
        return None

    def inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return encloses(self.lookups, container, node)

    def in_loop(self, stmt: cst.BaseStatement) -> bool:
        return any(isinstance(b.body[i], LOOPS) for b, i in self.path(stmt)[:-1])

    def column_of(self, node: cst.CSTNode) -> int:
        return self.lookups.position_of(node)[1]

    def indent_of(self, block: cst.IndentedBlock) -> int:
        return self.column_of(block.body[0])


def index_in(block: cst.IndentedBlock, stmt: cst.CSTNode) -> int:
    return next(i for i, s in enumerate(block.body) if s is stmt)


def only_small(stmt: cst.BaseStatement | None) -> cst.BaseSmallStatement | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def statement_header(stmt: cst.BaseStatement) -> cst.CSTNode | None:
    """The part of ``stmt`` evaluated once, before anything else in it runs."""
    small = only_small(stmt)
    if small is not None:
        return small
    if isinstance(stmt, cst.If):
        return stmt.test
    if isinstance(stmt, cst.For) and stmt.asynchronous is None:
        return stmt.iter
    return None


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, NESTED):
            stack.extend(current.children)
