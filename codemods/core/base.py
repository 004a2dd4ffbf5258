"""Helpers shared by every codemod: coroutine context, name resolution, imports,
awaiting an expression, and recording findings.

Codemods know nothing about files or the command line. They record what they did
and what they refused as :class:`Finding` objects in the codemod context, where the
engine (or any other caller) collects them with :func:`findings_of`.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Generator, Iterable, Sequence
from contextlib import contextmanager
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import (
    Assignment,
    CodeRange,
    GlobalScope,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from codemods.core import parsed
from codemods.core.findings import Finding, findings_of
from codemods.core.only_at import OnlyAt
from codemods.core.suppressions import Suppression, parse_comment

# Where a node runs, seen from the innermost enclosing body.
_COROUTINE = "coroutine"  # directly in an ``async def`` body
_SYNC = "sync"  # a ``def``, ``lambda`` or ``class`` body
_GENEXP = "genexp"  # a generator expression inside a coroutine: ``await`` would change it
_ANNOTATION = "annotation"  # evaluated late or never (PEP 563/649, local variables)
#: In a coroutine, inside ``with <thread lock>:``. An ``await`` there would suspend the
#: coroutine while it holds the lock; another coroutine taking the same lock would then
#: block the event loop's thread, and the first could never resume: a deadlock.
_LOCKED = "locked"

#: What a ``with`` item must be called (its last name) to count as a thread lock. An
#: ``asyncio.Lock`` cannot be used in a plain ``with``, so any lock there blocks.
_LOCK_NAME = re.compile(r"(?i)(lock|mutex|sem|semaphore)$")
_THREAD_LOCKS = frozenset(
    f"{module}.{name}"
    for module in ("threading", "multiprocessing")
    for name in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")
)


#: Why a call under a thread lock is left for manual work (every codemod's message ends so).
LOCKED_REASON = (
    "a thread lock is held around it: awaiting there would keep the lock across the await, "
    "and a coroutine waiting for that lock would block the event loop (deadlock); move the "
    "call out of the 'with' block or use an asyncio.Lock"
)

SHARED_WRAPPER_KEY = "async_migrate.shared_wrapper"


#: Identifiers the engine left out of the module it gives the codemods (see
#: ``async_migrate/slicing.py``): names a codemod invents must not collide with them either.
EXTRA_IDENTIFIERS_KEY = "async_migrate.extra_identifiers"


def identifiers(node: cst.CSTNode) -> set[str]:
    """Every identifier spelled in ``node``: names, attributes, parameters, keywords."""
    names: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    node.visit(Collect())
    return names


def share_metadata(context: CodemodContext, wrapper: MetadataWrapper) -> None:
    """Let the codemod run with ``context`` reuse ``wrapper``'s metadata when it is given
    ``wrapper.module`` to transform (the engine does this while codemods change nothing)."""
    context.scratch[SHARED_WRAPPER_KEY] = wrapper


def replace_wrapper(context: CodemodContext, wrapper: MetadataWrapper | None) -> CodemodContext:
    return dataclasses.replace(context, wrapper=wrapper)


def needs_parentheses(node: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
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
    users select it by) and ``CODES``; what a codemod looks for, for the engine's
    cheap prefilter, is declared beside its entry in ``async_migrate/registry.py``.

    Suppression comments: before rewriting ``node`` under code ``AMnnn``, a codemod
    calls ``if self.suppressed(node, "AMnnn"): return updated_node`` (leave it alone).
    :meth:`report` checks by itself, so a suppressed finding is never recorded. Map
    ruff's / flake8-async's codes for the same problem in ``RUFF_CODES`` so that
    ``# noqa: ASYNC251`` works too.
    """

    NAME: ClassVar[str] = ""
    #: Every code the codemod records, with a one-line summary (the README's table).
    CODES: ClassVar[dict[str, str]] = {}
    #: Regular expressions for the module-level names the codemod may define (helpers
    #: it adds after the imports); the engine's safety net allows only new definitions
    #: whose names match one of them to appear outside coroutines.
    HELPERS: ClassVar[tuple[str, ...]] = ()
    #: For noqa comments: our code -> the ruff / flake8-async code(s) meaning the same.
    RUFF_CODES: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    #: Set by the engine (``migrate_source(only_at=...)``): rewrite only these sites; every
    #: other site counts as silenced by a comment. None: no restriction.
    only_at: OnlyAt | None = None
    METADATA_DEPENDENCIES = (
        QualifiedNameProvider,
        PositionProvider,
        ParentNodeProvider,
        ScopeProvider,
    )

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._where: list[str] = []
        self._locks: list[bool] = []  # per ``with`` body: whether it pushed _LOCKED
        self._imports_dropped: set[tuple[int, str]] = set()
        self._comments: tuple[object, dict[int, Suppression]] | None = None
        self._first_iterables: dict[int, str] = {}  # id(CompFor) -> where it is evaluated

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

    # An annotation is never coroutine code: under ``from __future__ import annotations``
    # (and from Python 3.14 on) it is evaluated lazily, if ever, and ``await`` there does
    # not compile; a local variable's annotation is never evaluated at all.
    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._where.append(_ANNOTATION)

    def leave_Annotation(
        self, original_node: cst.Annotation, updated_node: cst.Annotation
    ) -> cst.Annotation:
        self._where.pop()
        return updated_node

    # A generator expression's first iterable is evaluated where the expression stands,
    # at once; only the rest runs lazily, in the generator.
    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        enclosing = self._where[-1] if self._where else _SYNC
        self._where.append(_GENEXP if enclosing == _COROUTINE else enclosing)
        self._first_iterables[id(node.for_in)] = enclosing

    def visit_CompFor_iter(self, node: cst.CompFor) -> None:
        if id(node) in self._first_iterables:
            self._where.append(self._first_iterables[id(node)])

    def leave_CompFor_iter(self, node: cst.CompFor) -> None:
        if id(node) in self._first_iterables:
            self._where.pop()

    def leave_GeneratorExp(
        self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp
    ) -> cst.BaseExpression:
        self._where.pop()
        return updated_node

    def in_coroutine(self) -> bool:
        """True while visiting code that runs directly in a coroutine."""
        return bool(self._where) and self._where[-1] == _COROUTINE

    def under_thread_lock(self) -> bool:
        """True inside ``with <thread lock>:`` in a coroutine, where nothing may be awaited
        (:meth:`in_coroutine` is then False: codemods leave such calls alone, and the
        offloading ones report them)."""
        return bool(self._where) and self._where[-1] == _LOCKED

    def visit_With_body(self, node: cst.With) -> None:
        locked = self.in_coroutine() and self._holds_thread_lock(node)
        self._locks.append(locked)
        if locked:
            self._where.append(_LOCKED)

    def leave_With_body(self, node: cst.With) -> None:
        if self._locks.pop():
            self._where.pop()

    def held_lock(self, node: cst.CSTNode) -> bool:
        """True if ``node`` (original tree) runs inside ``with <thread lock>:`` within its
        function: for codemods that plan a whole coroutine instead of asking
        :meth:`under_thread_lock` while they visit it."""
        child, parent = node, self.parent_of(node)
        while parent is not None and not isinstance(
            parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)
        ):
            if (
                isinstance(parent, cst.With)
                and child is parent.body
                and self._holds_thread_lock(parent)
            ):
                return True
            child, parent = parent, self.parent_of(parent)
        return False

    def _holds_thread_lock(self, node: cst.With) -> bool:
        """A plain ``with`` (an ``asyncio.Lock`` needs ``async with``) on a thread lock."""
        return node.asynchronous is None and any(
            self._is_thread_lock(item.item) for item in node.items
        )

    def _is_thread_lock(self, expression: cst.BaseExpression) -> bool:
        """``lock``, ``self._lock``, ``threading.Lock()``: a lock, by its name or type."""
        if isinstance(expression, cst.Call):
            return bool(self.qualified_names(expression.func) & _THREAD_LOCKS)
        if isinstance(expression, cst.Attribute):
            return bool(_LOCK_NAME.search(expression.attr.value))
        if isinstance(expression, cst.Name):
            return bool(_LOCK_NAME.search(expression.value))
        return False

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
        """Fully qualified names ``node`` may refer to (``{"time.sleep"}``).

        Only a name or a dotted name refers to something: libcst also gives a call or a
        subscript the name of what is called or subscripted, so ``time.sleep(1)(2)``
        would look like a call of ``time.sleep`` with the argument ``2``.
        """
        if not is_dotted_name(node):
            return set()
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def resolves_to(self, node: cst.CSTNode, names: Iterable[str]) -> str | None:
        """The one of ``names`` that ``node`` refers to, if it refers to exactly one.

        Only plain dotted names count: libcst also names ``open(p).read``
        ``builtins.open`` (the qualified name of a call's result's attribute).
        """
        if not is_dotted_name(node):
            return None
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
        (or ``import <module>.sub``) at module level. Anything else (a local, a
        parameter, ``import trio as asyncio``) would make the inserted reference
        wrong, and so would an ``import <module>`` inside a function: the name is
        then local to it (or a closure variable of nested functions) and unbound
        until that statement runs, which may be after the rewritten call.
        """
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return False
        for assignment in scope[module]:
            if not isinstance(assignment, Assignment):
                return False
            if not isinstance(assignment.scope, GlobalScope):
                return False
            if not _is_plain_module_import(assignment.node, module):
                return False
        return True

    def module_identifiers(self, module: cst.Module) -> set[str]:
        """Every identifier in ``module``, and in the parts of it the engine left out: a
        name a codemod invents must be none of them."""
        return identifiers(module) | set(self.context.scratch.get(EXTRA_IDENTIFIERS_KEY, ()))

    # -- metadata -------------------------------------------------------------

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Generator[cst.Module, None, None]:
        """Use the engine's wrapper (see :func:`share_metadata`) when it wraps ``module``
        itself: metadata already resolved for it by an earlier codemod is not resolved
        again."""
        shared = self.context.scratch.get(SHARED_WRAPPER_KEY)
        if not isinstance(shared, MetadataWrapper) or shared.module is not module:
            with super()._handle_metadata_reference(module) as tree:
                yield tree
            return
        old = self.context.wrapper
        with self.resolve(shared):
            self.context = replace_wrapper(self.context, shared)
            try:
                yield shared.module
            finally:
                self.context = replace_wrapper(self.context, old)

    # -- imports --------------------------------------------------------------

    def transform_module(self, tree: cst.Module) -> cst.Module:
        tree = super().transform_module(tree)
        # libcst's RemoveImportsVisitor keeps one alias per module for ``import m``
        # forms, so of ``import time`` and ``import time as tm`` one stayed behind,
        # unused. Remove the others in further passes, one alias per module each.
        scheduled = self.context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY, [])
        aliases: dict[str, list[str | None]] = {}
        for module, obj, asname in scheduled:
            if obj is None:
                names = aliases.setdefault(module, [])
                if asname in names:
                    names.remove(asname)
                names.append(asname)  # libcst's pass removed the last one scheduled
        leftovers = {module: names[:-1] for module, names in aliases.items() if len(names) > 1}
        while any(leftovers.values()):
            batch = [(m, None, names.pop()) for m, names in leftovers.items() if names]
            context = CodemodContext(
                filename=self.context.filename,
                full_module_name=self.context.full_module_name,
                full_package_name=self.context.full_package_name,
            )
            tree = RemoveImportsVisitor(context, batch).transform_module(tree)
        return tree

    def _instantiate_and_run(self, transform: type, tree: cst.Module) -> cst.Module:
        """Run libcst's import passes only when they can change something: each costs a
        pass over the whole module (the removal pass with its own scope analysis)."""
        key = getattr(transform, "CONTEXT_KEY", None)
        if transform is AddImportsVisitor or transform is RemoveImportsVisitor:
            scratch = self.context.scratch
            text = tree.code
            tree_ast = parsed.parse(text.encode(tree.encoding, errors="replace"))
            if tree_ast is not None:
                if transform is AddImportsVisitor:
                    scratch[key] = [i for i in scratch[key] if not _imported(tree_ast, i)]
                else:
                    names = {n.id for n in ast.walk(tree_ast) if isinstance(n, ast.Name)}
                    scratch[key] = [r for r in scratch[key] if _bound_name(r) not in names]
            if not scratch[key]:
                return tree
        return super()._instantiate_and_run(transform, tree)

    def need_import(self, module: str, obj: str | None = None) -> None:
        AddImportsVisitor.add_needed_import(self.context, module, obj)

    def drop_import_if_unused(self, original_reference: cst.CSTNode) -> None:
        """Remove the import ``original_reference`` came through, once unused.

        Only the one imported name is scheduled (``import os, time`` keeps ``os``),
        and each at most once: libcst's own ``remove_unused_import_by_node`` builds
        a matcher visitor per call, which dominated the run time on busy files.
        """
        base = original_reference
        while isinstance(base, cst.Attribute):
            base = base.value
        if not isinstance(base, cst.Name):
            return
        scope = self.get_metadata(ScopeProvider, base, None)
        if scope is None:
            return
        for assignment in scope[base.value]:
            node = getattr(assignment, "node", None)
            if not isinstance(node, (cst.Import, cst.ImportFrom)):
                continue
            key = (id(node), base.value)
            if key in self._imports_dropped:
                continue
            self._imports_dropped.add(key)
            _schedule_removal(self.context, node, base.value)

    # -- rewriting ------------------------------------------------------------

    def awaited(self, original: cst.CSTNode, expression: cst.BaseExpression) -> cst.Await:
        """``await expression``, parenthesised when where ``original`` stands needs it."""
        parent = self.parent_of(original)
        inner = expression.with_changes(lpar=[], rpar=[])
        outer_lpar: Sequence[cst.LeftParen] = getattr(original, "lpar", ())
        outer_rpar: Sequence[cst.RightParen] = getattr(original, "rpar", ())
        if not outer_lpar and needs_parentheses(original, parent):
            outer_lpar, outer_rpar = [cst.LeftParen()], [cst.RightParen()]
        return cst.Await(expression=inner, lpar=outer_lpar, rpar=outer_rpar)

    # -- suppressions ---------------------------------------------------------

    def suppressed(self, node: cst.CSTNode, code: str) -> bool:
        """True if a comment silences ``code`` for ``node`` (a node of the original tree).

        The comment counts when it ends the node's first or last line, or the first or
        last line of the statement holding it (of its header, for ``if``/``with``/...):
        ``# async-migrate: ignore``, ``# async-migrate: ignore[AMnnn]``, ``# noqa``,
        ``# noqa: AMnnn``, or ``# noqa:`` with a ruff code listed in ``RUFF_CODES``.
        Under :attr:`only_at`, a node that does not start at a listed site is silenced too.
        """
        if self.only_at is not None:
            start = self.get_metadata(PositionProvider, node).start
            if not self.only_at.allows(start.line, start.column + 1):
                return True
        comments = self._suppression_comments()
        if not comments:
            return False
        aliases = self.RUFF_CODES.get(code, ())
        codes = frozenset(
            c.upper() for c in (code, *((aliases,) if isinstance(aliases, str) else aliases))
        )
        return any(
            line in comments and comments[line].covers(codes) for line in self._lines_of(node)
        )

    def _suppression_comments(self) -> dict[int, Suppression]:
        """Line -> what the comment ending it silences, for the module being visited."""
        positions = self.metadata.get(PositionProvider, {})
        if self._comments is None or self._comments[0] is not positions:
            found = {}
            for node, where in positions.items():
                if isinstance(node, cst.Comment):
                    suppression = parse_comment(node.value)
                    if suppression is not None:
                        found[where.start.line] = suppression
            self._comments = (positions, found)
        return self._comments[1]

    def _lines_of(self, node: cst.CSTNode) -> set[int]:
        where: CodeRange = self.get_metadata(PositionProvider, node)
        lines = {where.start.line, where.end.line}
        statement: cst.CSTNode | None = node
        while statement is not None and not isinstance(
            statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
        ):
            statement = self.parent_of(statement)
        if isinstance(statement, cst.SimpleStatementLine):
            span = self.get_metadata(PositionProvider, statement)
            lines.update((span.start.line, span.end.line))
        elif isinstance(statement, cst.BaseCompoundStatement):
            span = self.get_metadata(PositionProvider, statement)
            body = self.get_metadata(PositionProvider, statement.body)
            last = body.start.line - 1 if isinstance(statement.body, cst.IndentedBlock) else None
            lines.update((span.start.line, last or body.start.line))
        return lines

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
        """Record a blocking call left unchanged for manual work (unless suppressed)."""
        if self.suppressed(node, code):
            return
        self._record(node, code, message, fixed=False)

    def fixed(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record a rewrite made at ``node`` (a node of the original tree)."""
        self._record(node, code, message, fixed=True)


def is_dotted_name(node: cst.CSTNode) -> bool:
    """True for ``name`` and ``a.b.c``: names and attributes of names only."""
    return isinstance(node, cst.BaseExpression) and dotted_name(node) is not None


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


def _imported(tree: ast.Module, item: object) -> bool:
    """True if ``tree``'s top level already has the import ``item`` (an ImportItem) asks
    for, in exactly that form (then libcst's pass would add nothing)."""
    module = getattr(item, "module_name", "")
    obj, alias = getattr(item, "obj_name", None), getattr(item, "alias", None)
    if alias is not None or getattr(item, "relative", 0):
        return False
    for statement in tree.body:
        if obj is None and isinstance(statement, ast.Import):
            if any(a.name == module and a.asname is None for a in statement.names):
                return True
        if obj is not None and isinstance(statement, ast.ImportFrom):
            if statement.level == 0 and statement.module == module:
                if any(a.name == obj and a.asname is None for a in statement.names):
                    return True
    return False


def _bound_name(removal: tuple[str, str | None, str | None]) -> str:
    """The name an import scheduled for removal binds: (module, obj, asname)."""
    module, obj, asname = removal
    if asname:
        return asname
    return obj if obj else module.split(".")[0]


def _schedule_removal(
    context: CodemodContext, node: cst.Import | cst.ImportFrom, name: str
) -> None:
    """Schedule the alias of ``node`` that binds ``name`` for removal once unused."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            if alias.evaluated_alias == name or (
                alias.evaluated_alias is None and alias.evaluated_name.split(".")[0] == name
            ):
                RemoveImportsVisitor.remove_unused_import(
                    context, alias.evaluated_name, asname=alias.evaluated_alias
                )
        return
    if isinstance(node.names, cst.ImportStar):
        return
    module = get_absolute_module_from_package_for_import(context.full_package_name, node)
    if module is None:
        return
    for alias in node.names:
        if (alias.evaluated_alias or alias.evaluated_name) == name:
            RemoveImportsVisitor.remove_unused_import(
                context, module, obj=alias.evaluated_name, asname=alias.evaluated_alias
            )
