"""Helpers shared by every codemod: coroutine context, name resolution, imports,
awaiting an expression, and recording findings.

Codemods know nothing about files or the command line. They record what they did
and what they refused as :class:`Finding` objects in the codemod context, where the
engine (or any other caller) collects them with :func:`findings_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    Assignment,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

FINDINGS_KEY = "async_migrate.findings"


@dataclass(frozen=True, order=True)
class Finding:
    """One rewrite made (``fixed``) or one blocking call left for manual work."""

    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    fixed: bool


def findings_of(context: CodemodContext) -> list[Finding]:
    """The findings recorded so far in ``context`` (a live list)."""
    return context.scratch.setdefault(FINDINGS_KEY, [])


# Where a node runs, seen from the innermost enclosing body.
_COROUTINE = "coroutine"  # directly in an ``async def`` body
_SYNC = "sync"  # a ``def``, ``lambda`` or ``class`` body
_GENEXP = "genexp"  # a generator expression inside a coroutine: ``await`` would change it


def _needs_parentheses(node: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
    """True when ``await <node>`` must be parenthesised where ``node`` stands.

    ``await`` binds tighter than every operator but less tightly than a primary
    (attribute access, subscription, call), so only those, and another ``await``,
    need parentheses around it.
    """
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    return isinstance(parent, cst.Await)


class AsyncCodemod(VisitorBasedCodemodCommand):
    """Base of every async-migrate codemod.

    Tracks whether the node being visited runs directly in a coroutine, resolves
    names through imports, and records findings. Subclasses set ``NAME`` (the name
    users select it by) and ``PREFILTER`` (byte strings of which at least one must
    appear in a file for the codemod to have anything to do).
    """

    NAME: ClassVar[str] = ""
    PREFILTER: ClassVar[tuple[bytes, ...]] = ()
    #: Every code the codemod records, with a one-line summary (the README's table).
    CODES: ClassVar[dict[str, str]] = {}
    METADATA_DEPENDENCIES = (
        QualifiedNameProvider,
        PositionProvider,
        ParentNodeProvider,
        ScopeProvider,
    )

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._where: list[str] = []

    # -- coroutine context --------------------------------------------------
    # Attribute hooks (``visit_<Node>_<field>``) make defaults, decorators and
    # annotations of a nested ``def`` belong to the enclosing body, as they do
    # at run time; only the nested body is sync.

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._where.append(_COROUTINE if node.asynchronous is not None else _SYNC)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._where.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._where.append(_SYNC)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._where.pop()

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._where.append(_SYNC)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._where.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        if self.in_coroutine():
            self._where.append(_GENEXP)
        else:
            self._where.append(self._where[-1] if self._where else _SYNC)

    def leave_GeneratorExp(
        self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp
    ) -> cst.BaseExpression:
        self._where.pop()
        return updated_node

    def in_coroutine(self) -> bool:
        """True while visiting code that runs directly in a coroutine."""
        return bool(self._where) and self._where[-1] == _COROUTINE

    def in_generator_expression(self) -> bool:
        """True inside a generator expression that is itself inside a coroutine."""
        return bool(self._where) and self._where[-1] == _GENEXP

    # Import statements name things without using them.
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    # -- names ----------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Fully qualified names ``node`` may refer to (``{"time.sleep"}``)."""
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def resolves_to(self, node: cst.CSTNode, names: Iterable[str]) -> str | None:
        """The one of ``names`` that ``node`` refers to, if it refers to exactly one."""
        found = self.qualified_names(node) & set(names)
        return next(iter(found)) if len(found) == 1 else None

    def parent_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.get_metadata(ParentNodeProvider, node, None)

    def is_call_target(self, node: cst.CSTNode) -> bool:
        parent = self.parent_of(node)
        return isinstance(parent, cst.Call) and parent.func is node

    def module_name_free(self, node: cst.CSTNode, module: str) -> bool:
        """True if ``module`` can be used as a plain module name where ``node`` is.

        The name must be unbound there, or bound only by ``import <module>``
        (or ``import <module>.sub``). Anything else (a local, a parameter,
        ``import trio as asyncio``) would make the inserted reference wrong.
        """
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return False
        for assignment in scope[module]:
            if not isinstance(assignment, Assignment):
                return False
            if not _is_plain_module_import(assignment.node, module):
                return False
        return True

    # -- imports --------------------------------------------------------------

    def need_import(self, module: str, obj: str | None = None) -> None:
        AddImportsVisitor.add_needed_import(self.context, module, obj)

    def drop_import_if_unused(self, original_reference: cst.CSTNode) -> None:
        """Remove the import ``original_reference`` came through, once unused."""
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, original_reference)

    # -- rewriting ------------------------------------------------------------

    def awaited(self, original: cst.CSTNode, expression: cst.BaseExpression) -> cst.Await:
        """``await expression``, parenthesised when where ``original`` stands needs it."""
        parent = self.parent_of(original)
        inner = expression.with_changes(lpar=[], rpar=[])
        outer_lpar: Sequence[cst.LeftParen] = getattr(original, "lpar", ())
        outer_rpar: Sequence[cst.RightParen] = getattr(original, "rpar", ())
        if not outer_lpar and _needs_parentheses(original, parent):
            outer_lpar, outer_rpar = [cst.LeftParen()], [cst.RightParen()]
        return cst.Await(expression=inner, lpar=outer_lpar, rpar=outer_rpar)

    # -- offloading one call to a thread -------------------------------------

    def call_names(self, func: cst.BaseExpression) -> set[str]:
        """Names a call target refers to: its qualified names or, for a dotted name whose
        first part is bound nowhere in the module (a module used without an import, as
        linters that match names by their spelling see it), the dotted name itself."""
        names = self.qualified_names(func)
        if names:
            return names
        dotted = dotted_name(func)
        if dotted is None:
            return set()
        root = func
        while isinstance(root, cst.Attribute):
            root = root.value
        scope = self.get_metadata(ScopeProvider, root, None)
        if scope is None or scope[dotted.split(".")[0]]:
            return set()
        return {dotted}

    def global_name_free(self, node: cst.CSTNode, name: str) -> bool:
        """True if ``name`` is bound nowhere in the module's global scope."""
        scope = self.get_metadata(ScopeProvider, node, None)
        return scope is not None and not scope.globals[name]

    def global_module_free(self, node: cst.CSTNode, module: str) -> bool:
        """True if ``module`` is unbound at module level or bound only by ``import module``
        (what a module-level helper that uses it needs)."""
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return False
        return all(
            isinstance(a, Assignment) and _is_plain_module_import(a.node, module)
            for a in scope.globals[module]
        )

    def offloaded(self, original: cst.Call, updated: cst.Call) -> cst.Await:
        """``await asyncio.to_thread(func, *args, **kwargs)`` for the call ``updated``.

        The callee and its arguments are evaluated in the same order as before, in the
        coroutine; only the call itself runs in the loop's default thread pool. The
        caller checks ``module_name_free(original, "asyncio")`` first.
        """
        self.need_import("asyncio")
        between: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
        if isinstance(updated.whitespace_before_args, cst.ParenthesizedWhitespace):
            between = updated.whitespace_before_args
        func = cst.Arg(updated.func, comma=cst.Comma(whitespace_after=between))
        if not updated.args:
            func = cst.Arg(updated.func)
        to_thread = cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("to_thread"))
        call = updated.with_changes(func=to_thread, args=[func, *updated.args])
        return self.awaited(original, call)

    # -- findings -------------------------------------------------------------

    def _record(self, node: cst.CSTNode, code: str, message: str, fixed: bool) -> None:
        position = self.get_metadata(PositionProvider, node).start
        finding = Finding(position.line, position.column + 1, code, message, fixed)
        findings_of(self.context).append(finding)
        if not fixed:
            self.warn(f"{position.line}:{position.column + 1}: {code} {message}")

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record a blocking call left unchanged for manual work."""
        self._record(node, code, message, fixed=False)

    def fixed(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record a rewrite made at ``node`` (a node of the original tree)."""
        self._record(node, code, message, fixed=True)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of plain names and attributes, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _is_plain_module_import(node: cst.CSTNode | object, module: str) -> bool:
    if not isinstance(node, cst.Import):
        return False
    for alias in node.names:
        if alias.asname is not None:
            continue
        dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
        if dotted == module or dotted.startswith(module + "."):
            return True
    return False
