"""The base class of every codemod: :class:`AsyncCodemod`.

It knows where the node being visited runs (:mod:`codemods.core.coroutines`), resolves
names through imports, adds and removes imports (:mod:`codemods.core.imports`), awaits
and offloads expressions, honours suppression comments
(:mod:`codemods.core.suppression_checks`), and records what it did and what it refused as
:class:`~codemods.core.findings.Finding` objects in :attr:`AsyncCodemod.findings`.
Codemods know nothing about files or the command line; the engine runs them through
:mod:`codemods.core.interface`.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import (
    Assignment,
    CodeRange,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    QualifiedName,
    Scope,
    ScopeProvider,
)

from codemods.core.build import await_expression, needs_parentheses
from codemods.core.catalogue import ObjectKind
from codemods.core.code_positions import Positions, positions
from codemods.core.coroutines import LOCKED_REASON, CoroutineContext
from codemods.core.findings import Finding
from codemods.core.imports import run_import_passes, schedule_removal
from codemods.core.names import dotted_name, identifiers, is_dotted_name, is_plain_module_import
from codemods.core.parents import parents
from codemods.core.plain_names import bound_otherwise
from codemods.core.problems import Problem
from codemods.core.spec import CodemodSpec
from codemods.core.suppression_checks import SuppressionChecks
from codemods.core.undecorated import UndecoratedCodemodCommand

__all__ = ["LOCKED_REASON", "AsyncCodemod"]


class OnFirstUse(Mapping[cst.CSTNode, CodeRange]):
    """The positions of ``module``'s nodes (see :mod:`codemods.core.code_positions`),
    made when first read: a codemod that finds nothing to do in the module never asks."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._found: Positions | None = None

    def _made(self) -> Positions:
        if self._found is None:
            self._found = positions(self._module)
        return self._found

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        return self._made()[node]

    def get(self, node: cst.CSTNode, default: object = None) -> object:  # type: ignore[override]
        return self._made().get(node, default)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


class AsyncCodemod(CoroutineContext, SuppressionChecks, UndecoratedCodemodCommand):
    """Base of every async-migrate codemod.

    Tracks whether the node being visited runs directly in a coroutine, resolves
    names through imports, and records findings. Subclasses set ``SPEC``, their
    declaration (``codemods/<name>/spec.py``); ``NAME``, ``DESCRIPTION``, ``CODES``,
    ``RUFF_CODES`` and ``HELPERS`` are derived from it.

    Suppression comments: before rewriting ``node`` under code ``AMnnn``, a codemod
    calls ``if self.suppressed(node, "AMnnn"): return updated_node`` (leave it alone).
    :meth:`report` checks by itself, so a suppressed finding is never recorded. ruff's /
    flake8-async's codes for the same problem (``Code.ruff`` in the declaration) make
    ``# noqa: ASYNC251`` work too.
    """

    SPEC: ClassVar[CodemodSpec | None] = None
    #: The name users select it by (from ``SPEC``).
    NAME: ClassVar[str] = ""
    #: Every code the codemod records, with its one-line summary (from ``SPEC``).
    CODES: ClassVar[dict[str, str]] = {}
    #: Regular expressions for the module-level names the codemod may define (helpers
    #: it adds after the imports); the engine's safety net allows only new definitions
    #: whose names match one of them to appear outside coroutines.
    HELPERS: ClassVar[tuple[str, ...]] = ()
    #: For noqa comments: our code -> the ruff / flake8-async codes meaning the same.
    RUFF_CODES: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("SPEC")
        if spec is not None:
            cls.NAME = spec.name
            cls.DESCRIPTION = spec.description
            cls.CODES = spec.summaries
            cls.RUFF_CODES = spec.ruff_codes
            cls.HELPERS = spec.helpers

    METADATA_DEPENDENCIES = (PositionProvider, ScopeProvider)
    #: Resolve libcst's scope analysis only when first asked (see :meth:`scope_of`): for a
    #: codemod whose decisions rarely need it (``helpers``: its sites come from the project
    #: index, and whether ``asyncio`` is free is told from the source, see
    #: :mod:`codemods.core.plain_names`).
    LAZY_SCOPE: ClassVar[bool] = False

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._imports_dropped: set[tuple[int, str]] = set()
        #: What this run rewrote and what it left for manual work, in its tree's positions.
        self.findings: list[Finding] = []
        self._shared_wrapper: MetadataWrapper | None = None
        self._reserved_names: frozenset[str] = frozenset()
        self._bound_left_out: frozenset[str] = frozenset()
        self._attribute_kinds: Mapping[tuple[str, str], ObjectKind] = {}
        #: The source the tree was parsed from, when the engine gives it.
        self.source: bytes | None = None
        #: Each node's parent in the module they were computed for (on first need).
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._parents_of: cst.Module | None = None

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        """The declared options, for libcst's codemod runner (``--cpu-bound NAME``)."""
        for option in cls.SPEC.options if cls.SPEC else ():
            flag, dest = f"--{option.key}", option.name
            if option.type is list:
                arg_parser.add_argument(
                    flag,
                    dest=dest,
                    action="append",
                    default=[],
                    metavar=option.metavar,
                    help=option.help,
                )
            elif option.type is bool:
                arg_parser.add_argument(flag, dest=dest, action="store_true", help=option.help)
            else:
                arg_parser.add_argument(
                    flag,
                    dest=dest,
                    type=option.type,
                    default=option.default,
                    metavar=option.metavar,
                    help=option.help,
                )

    def share(
        self,
        wrapper: MetadataWrapper | None,
        reserved_names: frozenset[str],
        bound_left_out: frozenset[str] = frozenset(),
        source: bytes | None = None,
        attribute_kinds: Mapping[tuple[str, str], ObjectKind] | None = None,
    ) -> None:
        """Reuse ``wrapper``'s metadata when this codemod is given ``wrapper.module`` (the
        engine shares one wrapper between codemods that change nothing), invent no name in
        ``reserved_names`` (those of the parts of the module left out of the tree), and take
        the names in ``bound_left_out`` for bound at module level; ``source``: what
        ``wrapper.module`` was parsed from; ``attribute_kinds``: the kinds of the objects
        the module's classes keep on ``self`` (see :mod:`codemods.core.attributes`), read
        from the whole module."""
        self._shared_wrapper = wrapper
        self._reserved_names = reserved_names
        self._bound_left_out = bound_left_out
        self.source = source
        self._attribute_kinds = attribute_kinds or {}

    def bound_where_left_out(self, name: str) -> bool:
        return name in self._bound_left_out

    def attribute_kind(self, owner: str, attribute: str) -> ObjectKind | None:
        return self._attribute_kinds.get((owner, attribute))

    # -- names ----------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Fully qualified names ``node`` may refer to (``{"time.sleep"}``).

        Only a name or a dotted name refers to something: libcst also gives a call or a
        subscript the name of what is called or subscripted, so ``time.sleep(1)(2)``
        would look like a call of ``time.sleep`` with the argument ``2``.
        """
        if not is_dotted_name(node):
            return set()
        return {q.name for q in self.qualified_names_of(node)}

    def qualified_names_of(self, node: cst.CSTNode) -> set[QualifiedName]:
        """What libcst's ``QualifiedNameProvider`` gives for ``node``, asked of its scope only
        for the nodes a codemod looks at (the provider computes it for every node)."""
        scope = self.scope_of(node)
        if scope is None:
            return set()
        return set(scope.get_qualified_names_for(node))

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
        wrapper = self.context.wrapper
        if wrapper is None:
            return None
        if self._parents_of is not wrapper.module:
            self._parents = parents(wrapper.module)
            self._parents_of = wrapper.module
        return self._parents.get(node)

    def scope_of(self, node: cst.CSTNode) -> Scope | None:
        if ScopeProvider not in self.metadata:  # LAZY_SCOPE: resolved on first need
            wrapper = self.context.wrapper
            if wrapper is None:
                return None
            self.metadata = {**self.metadata, ScopeProvider: wrapper.resolve(ScopeProvider)}
        return self.get_metadata(ScopeProvider, node, None)

    @contextmanager
    def resolve(self, wrapper: MetadataWrapper) -> Iterator[None]:
        """libcst's, leaving out the scope analysis under ``LAZY_SCOPE``, and with the
        positions computed on first use: a codemod that finds nothing to do in the module
        never asks for one, and they cost a code generation of the whole module. They are
        computed as libcst's ``PositionProvider`` gives them, by :mod:`code_positions`."""
        dependencies = frozenset(self.get_inherited_dependencies()) - {PositionProvider}
        if self.LAZY_SCOPE:
            dependencies -= {ScopeProvider}
        self.metadata = {
            **wrapper.resolve_many(dependencies),
            PositionProvider: OnFirstUse(wrapper.module),
        }
        try:
            yield
        finally:
            self.metadata = {}

    def position_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """Where ``node`` starts: (line, from 1; column, from 0)."""
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column

    def input_line(self, node: cst.CSTNode) -> int:
        """The line of the input ``node`` starts on (for a message that names a line:
        earlier codemods may have moved the lines of the module being visited)."""
        line, column = self.position_of(node)
        return self.left_alone.to_input(line, column + 1)[0]

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
        if module in self._bound_left_out:
            return False
        otherwise = bound_otherwise(self.source) if self.source is not None else None
        if otherwise is not None and module not in otherwise:
            return True  # bound nowhere, or only so: the scope analysis would say the same
        scope = self.scope_of(node)
        if scope is None:
            return False
        for assignment in scope[module]:
            if not isinstance(assignment, Assignment):
                return False
            if not isinstance(assignment.scope, GlobalScope):
                return False
            if not is_plain_module_import(assignment.node, module):
                return False
        return True

    def module_identifiers(self, module: cst.Module) -> set[str]:
        """Every identifier in ``module``, and in the parts of it the engine left out: a
        name a codemod invents must be none of them."""
        return identifiers(module) | self._reserved_names

    # -- running ----------------------------------------------------------------

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Resolve metadata (the engine's, when it wraps ``tree`` itself: see :meth:`share`),
        transform, then add and remove the imports the transform asked for."""
        wrapper = self._shared_wrapper
        if wrapper is None or wrapper.module is not tree:
            wrapper = MetadataWrapper(tree)
        old = self.context.wrapper
        with self.resolve(wrapper):
            self.context = dataclasses.replace(self.context, wrapper=wrapper)
            try:
                tree = self.transform_module_impl(wrapper.module)
            finally:
                self.context = dataclasses.replace(self.context, wrapper=old)
        return run_import_passes(self.context, tree)

    # -- imports --------------------------------------------------------------

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
        scope = self.scope_of(base)
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
            schedule_removal(self.context, node, base.value)

    # -- rewriting ------------------------------------------------------------

    def awaited(self, original: cst.CSTNode, expression: cst.BaseExpression) -> cst.Await:
        """``await expression``, parenthesised when where ``original`` stands needs it."""
        return awaited_at(original, expression, self.parent_of(original))

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
        scope = self.scope_of(root)
        if scope is None or scope[dotted.split(".")[0]]:
            return set()
        return {dotted}

    def global_name_free(self, node: cst.CSTNode, name: str) -> bool:
        """True if ``name`` is bound nowhere in the module's global scope."""
        scope = self.scope_of(node)
        return scope is not None and not scope.globals[name] and name not in self._bound_left_out

    def global_module_free(self, node: cst.CSTNode, module: str) -> bool:
        """True if ``module`` is unbound at module level or bound only by ``import module``
        (what a module-level helper that uses it needs)."""
        scope = self.scope_of(node)
        if scope is None or module in self._bound_left_out:
            return False
        return all(
            isinstance(a, Assignment) and is_plain_module_import(a.node, module)
            for a in scope.globals[module]
        )

    def offloaded(self, original: cst.Call, updated: cst.Call) -> cst.Await:
        """``await asyncio.to_thread(func, *args, **kwargs)`` for the call ``updated``.

        The callee and its arguments are evaluated in the same order as before, in the
        coroutine; only the call itself runs in the loop's default thread pool. The
        caller checks ``module_name_free(original, "asyncio")`` first.
        """
        self.need_import("asyncio")
        return self.awaited(original, to_thread_call(updated))

    # -- findings -------------------------------------------------------------

    def _record(self, node: cst.CSTNode, code: str, message: str, fixed: bool) -> None:
        line, column = self.position_of(node)
        finding = Finding(line, column + 1, code, message, fixed)
        self.findings.append(finding)
        if not fixed:
            self.warn(f"{line}:{column + 1}: {code} {message}")

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record a blocking call left unchanged for manual work (unless suppressed)."""
        if self.suppressed(node, code):
            return
        self._record(node, code, message, fixed=False)

    def report_problems(self, problems: Iterable[Problem]) -> None:
        """Report what a planner found it cannot rewrite (see :mod:`codemods.core.lookups`)."""
        for problem in problems:
            self.report(problem.node, problem.code, problem.message)

    def fixed(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record a rewrite made at ``node`` (a node of the original tree)."""
        self._record(node, code, message, fixed=True)


def awaited_at(
    original: cst.CSTNode, expression: cst.BaseExpression, parent: cst.CSTNode | None
) -> cst.Await:
    """``await expression`` in place of ``original`` (whose parent is ``parent``),
    parenthesised when where it stands needs it."""
    outer_lpar: Sequence[cst.LeftParen] = getattr(original, "lpar", ())
    if outer_lpar:  # the parentheses written around the original stay
        outer_rpar: Sequence[cst.RightParen] = getattr(original, "rpar", ())
        return await_expression(expression).with_changes(lpar=outer_lpar, rpar=outer_rpar)
    return await_expression(expression, parenthesised=needs_parentheses(original, parent))


def to_thread_call(updated: cst.Call) -> cst.Call:
    """``asyncio.to_thread(func, *args, **kwargs)`` for the call ``func(*args, **kwargs)``:
    ``func`` goes first, as the arguments are laid out (on the line of the parenthesis, or
    on a line of its own: then the comment and blank lines after the parenthesis stay
    there, once)."""
    between: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
    written = updated.whitespace_before_args
    if isinstance(written, cst.ParenthesizedWhitespace):
        between = written.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    func = cst.Arg(updated.func, comma=cst.Comma(whitespace_after=between))
    if not updated.args:
        func = cst.Arg(updated.func)
    to_thread = cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("to_thread"))
    return updated.with_changes(func=to_thread, args=[func, *updated.args])
