"""The ``cpu`` codemod's findings, decided with :mod:`ast` alone when all it can do is
suggest.

With no name the run marks CPU-bound, no ``# async-migrate: cpu-bound`` comment and no
call to a function the codemod offloads by itself (``hashlib.pbkdf2_hmac``, compression
when asked), the codemod changes nothing: it only suggests (AM406) the calls made directly
in coroutines to module-level sync defs that look CPU-bound (see
:mod:`codemods.cpu.suggestions`). Those calls are found here the way the codemod finds
them: where a call runs is tracked as :mod:`codemods.core.coroutines` tracks it, and a
name bound nowhere but by its ``def`` resolves to that ``def`` from every scope. Whatever
this cannot tell as surely (a suggested name bound twice, a ``noqa`` or ``async-migrate``
comment in the coroutine, a ``with`` on a call that may make a thread lock, codes the run
leaves off) leaves the module to the codemod: the answer is then None.

Free of libcst: the engine asks before it parses anything with libcst.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from codemods.core import parsed
from codemods.core.catalogue import LOCK_CLASSES, LOCK_NAME
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import position, source_lines
from codemods.cpu import suggestions
from codemods.cpu.names import CpuBoundNames
from codemods.cpu.prescan import candidate_names, may_call_candidate

#: Text that may start a suppression comment (in any case).
_SUPPRESSION = re.compile(r"(?i)noqa|async-migrate")

_COROUTINE, _SYNC, _GENEXP, _ANNOTATION, _LOCKED = range(5)


class _Undecided(Exception):
    """Something the codemod must look at itself."""


def suggestion_message(name: str) -> str:
    """The AM406 message for a call of ``name``."""
    return (
        f"{name} looks CPU-bound (loops, no I/O) and blocks the event loop while it runs; "
        f"if it is, offload it with --cpu-bound {name} or a '# async-migrate: cpu-bound' "
        "comment on its def line"
    )


def findings(data: bytes, options: dict[str, Any]) -> list[Finding] | None:
    """The codemod's findings in ``data`` when it can only suggest; None when the codemod
    must run (it may rewrite, or this cannot tell)."""
    if options.get(IGNORED_CODES):
        return None
    cpu_bound = CpuBoundNames.parse(options.get("cpu_bound"))
    names = candidate_names(cpu_bound, bool(options.get("offload_compression")))
    if may_call_candidate(data, names, loop_defs=False):
        return None  # a marked def, a name the run marks, a call it offloads by itself
    tree = parsed.parse(data)
    if tree is None:
        return None
    try:
        data.decode("utf-8")  # columns are counted in UTF-8
    except UnicodeDecodeError:
        return None
    suggested = suggestions.suggestible(tree)
    if not suggested:
        return []
    lines = source_lines(data)
    try:
        bound_once = _bound_only_by_their_def(tree, suggested)
        calls = _suggested_calls(tree, suggested)
        found = []
        for call, coroutine in calls:
            if call.func.id not in bound_once:  # type: ignore[attr-defined]
                raise _Undecided
            last = coroutine.end_lineno or coroutine.lineno
            if any(_SUPPRESSION.search(line) for line in lines[coroutine.lineno - 1 : last]):
                raise _Undecided
            line, col = position(call, lines)
            found.append(Finding(line, col, "AM406", suggestion_message(call.func.id), False))  # type: ignore[attr-defined]
    except (_Undecided, RecursionError):
        return None
    return found


def _bound_only_by_their_def(tree: ast.Module, names: set[str]) -> set[str]:
    """Those of ``names`` the module binds once, by their module-level ``def``, and
    nowhere else (no assignment, import, parameter, other definition or declaration)."""
    count = dict.fromkeys(names, 0)
    for node in parsed.walk(tree):
        bound: list[str] = []
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound = [node.id]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [node.name]
        elif isinstance(node, ast.alias):
            if node.name == "*":
                raise _Undecided  # a star import may bind anything
            bound = [(node.asname or node.name).split(".")[0]]
        elif isinstance(node, ast.arg):
            bound = [node.arg]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound = list(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            bound = [node.name] if node.name else []
        elif isinstance(node, ast.MatchMapping):
            bound = [node.rest] if node.rest else []
        for name in bound:
            if name in count:
                count[name] += 1
    return {name for name, times in count.items() if times == 1}


def _suggested_calls(
    tree: ast.Module, names: set[str]
) -> list[tuple[ast.Call, ast.AsyncFunctionDef]]:
    """The calls ``name(...)`` of ``names`` that run directly in a coroutine, each with the
    outermost coroutine holding it."""
    found: list[tuple[ast.Call, ast.AsyncFunctionDef]] = []

    def visit(node: ast.AST, where: int, outermost: ast.AsyncFunctionDef | None) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in [*node.decorator_list, *_defaults(node.args)]:
                visit(part, where, outermost)
            for annotation in [*_annotations(node.args), node.returns]:
                if annotation is not None:
                    visit(annotation, _ANNOTATION, outermost)
            is_async = isinstance(node, ast.AsyncFunctionDef)
            inner = node if is_async and outermost is None else outermost
            for statement in node.body:
                visit(statement, _COROUTINE if is_async else _SYNC, inner)
            return
        if isinstance(node, ast.Lambda):
            for part in _defaults(node.args):
                visit(part, where, outermost)
            visit(node.body, _SYNC, outermost)
            return
        if isinstance(node, ast.ClassDef):
            for part in [*node.decorator_list, *node.bases, *node.keywords]:
                visit(part, where, outermost)
            for statement in node.body:
                visit(statement, _SYNC, outermost)
            return
        if isinstance(node, ast.AnnAssign):
            visit(node.annotation, _ANNOTATION, outermost)
            for part in (node.target, node.value):
                if part is not None:
                    visit(part, where, outermost)
            return
        if isinstance(node, ast.GeneratorExp):
            lazy = _GENEXP if where == _COROUTINE else where
            first, *rest = node.generators
            visit(first.iter, where, outermost)
            for part in [node.elt, first.target, *first.ifs, *rest]:
                visit(part, lazy, outermost)
            return
        if isinstance(node, ast.With):
            for item in node.items:
                visit(item, where, outermost)
            locked = where == _COROUTINE and any(
                _is_thread_lock(i.context_expr) for i in node.items
            )
            for statement in node.body:
                visit(statement, _LOCKED if locked else where, outermost)
            return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in names
            and where == _COROUTINE
            and outermost is not None
        ):
            found.append((node, outermost))
        for child in parsed.children(node):
            visit(child, where, outermost)

    visit(tree, _SYNC, None)
    return found


def _defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [d for d in (*arguments.defaults, *arguments.kw_defaults) if d is not None]


def _annotations(arguments: ast.arguments) -> list[ast.expr | None]:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return [a.annotation for a in every]


def _is_thread_lock(expression: ast.expr) -> bool:
    """As the codemod judges a ``with`` item; a call it would resolve is not decided."""
    if isinstance(expression, ast.Call):
        func = expression.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last in LOCK_CLASSES:  # the codemod resolves it: not decided here
            raise _Undecided
        return False
    if isinstance(expression, ast.Attribute):
        return bool(LOCK_NAME.search(expression.attr))
    if isinstance(expression, ast.Name):
        return bool(LOCK_NAME.search(expression.id))
    return False
