"""A blocking iteration in a coroutine, offloaded whole to a worker thread.

``sorted(os.path.getsize(p) for p in paths)`` becomes ``await asyncio.to_thread(lambda:
sorted(...))``, and a ``for`` loop over ``Path.iterdir()`` whose body does not await
becomes a nested function run with ``await asyncio.to_thread(scan)``. Runs first: once a
later codemod has made a call in the loop awaitable, the loop could no longer move, and
the iteration would still block. What it cannot move faithfully, it reports (AM663).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.base import AsyncCodemod
from codemods.core.build import code_of, dotted
from codemods.iteration.analysis import (
    Iteration,
    Refusal,
    Shape,
    Site,
    coroutine_of,
    plan,
    shape_of,
    triggers,
)
from codemods.iteration.spec import SPEC

_CODES = {Shape.EXPRESSION: "AM661", Shape.LOOP: "AM662"}
#: The nested function a loop moves into: this name, or this name with a number.
_FUNCTION = "scan"


class IterationCommand(AsyncCodemod):
    """Offload each blocking iteration of a coroutine whole, when that is faithful."""

    SPEC = SPEC

    def __init__(
        self, context: CodemodContext, offload: bool = True, leave_alone: Sequence[str] = ()
    ) -> None:
        super().__init__(context)
        self.offload = offload
        #: Families of blocking calls whose codemod is ignored: their iterations stay.
        self.families_left_alone = frozenset(leave_alone)
        self._taken: dict[cst.CSTNode, Iteration] = {}
        #: Blocking calls of iterations that stay, with what holds them and why.
        self._refused: dict[cst.Call, tuple[Site, str, str]] = {}
        #: Names no nested function may take: the module's, and per coroutine, those
        #: already given.
        self._names: set[str] = set()
        self._given: dict[cst.CSTNode | None, set[str]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._names = self.module_identifiers(node)

    def visit_For(self, node: cst.For) -> bool:
        return self._consider(node)

    def visit_Call(self, node: cst.Call) -> bool:
        return self._consider(node)

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._consider(node)

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._consider(node)

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._consider(node)

    def _consider(self, node: cst.CSTNode) -> bool:
        """Take ``node`` if it is a blocking iteration that can move whole (its children
        are then not visited); True to visit its children."""
        if not self.offload or not self.in_coroutine():
            return True
        shape = shape_of(self, node)
        if shape is None:
            return True
        found = triggers(self, node, shape)
        if not found:
            return True
        code = _CODES[shape]
        outcome: Iteration | Refusal
        if self.module_name_free(node, "asyncio"):
            outcome = plan(self, node, shape, self.families_left_alone)
        else:
            outcome = Refusal("the name 'asyncio' is bound to something else here")
        if code in self.ignored_codes:  # off in this run: the calls are left alone
            for site in outcome.sites if isinstance(outcome, Iteration) else found:
                self.leave_alone(site.call)
            return True
        if self.suppressed(node, code) or any(self.suppressed(s.call, code) for s in found):
            return True
        what = _what(node)
        if isinstance(outcome, Refusal):
            for site in found:  # the outermost iteration's reason is the one shown
                if site.family not in self.families_left_alone:  # neither touched nor reported
                    self._refused.setdefault(site.call, (site, what, outcome.reason))
            return True
        self._taken[node] = outcome
        for site in outcome.sites:
            self._refused.pop(site.call, None)
        return False

    def leave_For(
        self, original_node: cst.For, updated_node: cst.For
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        taken = self._taken.get(original_node)
        if taken is None:
            return updated_node
        name = self._new_name(coroutine_of(self, original_node))
        self._fixed_sites(taken, f"the for loop it is in: await asyncio.to_thread({name})")
        self.need_import("asyncio")
        declarations = [
            cst.SimpleStatementLine(
                [
                    cst.Global([cst.NameItem(cst.Name(n)) for n in names])
                    if kind == "global"
                    else cst.Nonlocal([cst.NameItem(cst.Name(n)) for n in names])
                ]
            )
            for kind, names in _grouped(taken.declarations)
        ]
        leading = list(updated_node.leading_lines)
        if not self._first_in_block(original_node) and not (leading and leading[0].comment is None):
            leading.insert(0, cst.EmptyLine(indent=False))
        function = cst.FunctionDef(
            name=cst.Name(name),
            params=cst.Parameters(),
            body=cst.IndentedBlock([*declarations, updated_node.with_changes(leading_lines=())]),
            leading_lines=leading,
        )
        run = cst.SimpleStatementLine(
            [cst.Expr(cst.Await(cst.Call(dotted("asyncio.to_thread"), [cst.Arg(cst.Name(name))])))],
            leading_lines=[cst.EmptyLine(indent=False)],
        )
        return cst.FlattenSentinel([function, run])

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return self._expression(original_node, updated_node)

    def leave_ListComp(
        self, original_node: cst.ListComp, updated_node: cst.ListComp
    ) -> cst.BaseExpression:
        return self._expression(original_node, updated_node)

    def leave_SetComp(
        self, original_node: cst.SetComp, updated_node: cst.SetComp
    ) -> cst.BaseExpression:
        return self._expression(original_node, updated_node)

    def leave_DictComp(
        self, original_node: cst.DictComp, updated_node: cst.DictComp
    ) -> cst.BaseExpression:
        return self._expression(original_node, updated_node)

    def _expression(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        taken = self._taken.get(original)
        if taken is None:
            return updated
        where = f"the {_what(original)} it is in: await asyncio.to_thread(lambda: ...)"
        self._fixed_sites(taken, where)
        self.need_import("asyncio")
        body = updated.with_changes(lpar=(), rpar=())
        thunk = cst.Lambda(params=cst.Parameters(), body=body)
        return self.awaited(original, cst.Call(dotted("asyncio.to_thread"), [cst.Arg(thunk)]))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        reported = set()
        for site, what, reason in self._refused.values():
            where = self.position_of(site.call)
            if where in reported:
                continue  # a call on the result of another, which starts there too
            reported.add(where)
            self.report(
                site.call,
                "AM663",
                f"{site.name}() blocks while the {what} it is in runs, which cannot move "
                f"whole to a worker thread: {reason}; move it into a function run with "
                "asyncio.to_thread by hand",
            )
        return updated_node

    def _fixed_sites(self, taken: Iteration, where: str) -> None:
        code = _CODES[taken.shape]
        recorded = set()
        for site in taken.sites:
            position = self.position_of(site.call)
            if position in recorded:
                continue  # a call on the result of another, which starts there too
            recorded.add(position)
            self.fixed(site.call, code, f"{site.name}() offloaded to a thread with {where}")

    def _first_in_block(self, statement: cst.BaseStatement) -> bool:
        block = self.parent_of(statement)
        body = getattr(block, "body", ())
        return bool(body) and body[0] is statement

    def _new_name(self, coroutine: cst.CSTNode | None) -> str:
        given = self._given.setdefault(coroutine, set())
        name, number = _FUNCTION, 1
        while name in self._names or name in given:
            number += 1
            name = f"{_FUNCTION}_{number}"
        given.add(name)
        return name


def _what(node: cst.CSTNode) -> str:
    """How a message names the iteration ``node``."""
    if isinstance(node, cst.For):
        return "for loop"
    if isinstance(node, cst.ListComp):
        return "list comprehension"
    if isinstance(node, cst.SetComp):
        return "set comprehension"
    if isinstance(node, cst.DictComp):
        return "dict comprehension"
    if isinstance(node, cst.Call):
        func = code_of(node.func)
        return f"{func}(...) call" if len(func) <= 30 else "call"
    return "expression"


def _grouped(declarations: tuple[tuple[str, str], ...]) -> list[tuple[str, list[str]]]:
    """``global`` names, then ``nonlocal`` names, each in one statement."""
    groups: dict[str, list[str]] = {}
    for kind, name in declarations:
        groups.setdefault(kind, []).append(name)
    return sorted(groups.items())
