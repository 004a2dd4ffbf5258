"""The ``helpers`` codemod on the statements that hold its sites, without libcst on the
rest of the module.

Its sites come from the project index with their positions, and whether each is offloaded
or reported is decided there (the chain, a refusal). What is left to decide at the call
is read from the ``ast`` tree: that the call runs directly in its coroutine (not in a
generator expression, a lambda, an annotation or a plain ``with`` block, which may hold a
thread lock), that it is not awaited, that ``asyncio`` is bound only by a plain import at
the top of the module (or nowhere), and whether a comment silences it. libcst then parses
each statement holding a site alone, rewrites the call as the command does and prints the
statement, which replaces the statement's lines; the new ``import asyncio`` is added by
the same import passes as the command's, on the module's first statements only. The rest
of the module is never parsed by libcst, nor printed again: it stays as it was, byte for
byte.

Whenever a site does not fit (a call in a statement's header, a statement sharing a line,
a position libcst sees elsewhere, a module an earlier codemod changed), :func:`edited`
says None and the engine runs the command as usual. The fixture tests run every fixture
both ways and compare.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem
from libcst.metadata import MetadataWrapper, PositionProvider

from codemods.core import parsed
from codemods.core.base import awaited_at, to_thread_call
from codemods.core.catalogue import LOCK_CLASSES, LOCK_NAME
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.imports import run_import_passes
from codemods.core.index import position, source_lines
from codemods.core.parents import parents
from codemods.core.plain_names import bound_otherwise
from codemods.core.suppressions import parse_comment
from codemods.helpers.analysis import Site
from codemods.helpers.command import HelpersCommand, _what

#: Expressions whose inside does not run directly in the coroutine (or may not: a plain
#: ``with`` may hold a thread lock, unless no item looks like one), as the command's visit
#: tracks it.
_ELSEWHERE = (ast.Lambda, ast.GeneratorExp, ast.With, ast.FunctionDef, ast.ClassDef)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

_ASYNCIO = ImportItem("asyncio", None, None)


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` (the module as the index read it) and its
    findings; None when a site does not fit (then run the command)."""
    sites: Sequence[Site] = options.get("sites", ())
    if (
        not sites
        or options.get("helpers_mode", "offload") != "offload"
        or options.get("convert")
        or options.get("awaits")
        or options.get(IGNORED_CODES)
    ):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    tree = parsed.parse(data)
    if tree is None or text.startswith("\ufeff"):
        return None
    if not _asyncio_only_imported(data):
        return None  # the command asks the scope analysis, and may refuse (AM654)
    lines = _LINE.findall(text)
    calls = _calls_by_position(tree, source_lines(data), {site.line for site in sites})
    units: dict[ast.stmt, list[tuple[ast.Call, Site]]] = {}
    for site in sites:
        found = calls.get((site.line, site.col))
        if found is None:
            return None
        call, statement = found
        if statement is None or _span(statement, lines) is None:
            return None
        units.setdefault(statement, []).append((call, site))
    offload = bool(options.get("offload", True))
    findings: list[Finding] = []
    # The new text by line of the input: a statement's new text stands on its first line,
    # its other lines become empty.
    chunks = list(lines)
    taken: set[int] = set()
    for statement, held in units.items():
        done = _rewritten(statement, held, lines, offload, findings)
        if done is None:
            return None
        first, last, _ = _span(statement, lines) or (0, 0, "")
        if taken & set(range(first, last + 1)):
            return None  # units do not overlap; should two, the command decides
        taken.update(range(first, last + 1))
        chunks[first - 1 : last] = [done, *[""] * (last - first)]
    if any(f.fixed for f in findings) and not _imports_asyncio(tree):
        with_import = _with_asyncio_import(tree, chunks, filename)
        if with_import is None:
            return None
        chunks = with_import
    return "".join(chunks).encode("utf-8"), findings


_ASYNCIO_NAME = re.compile(rb"\basyncio\b")
_PLAIN_IMPORT = re.compile(rb"import[ \t]+asyncio[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)")
_DOTTED = re.compile(rb"[ \t]*\.")


def _asyncio_only_imported(data: bytes) -> bool:
    """Whether the name ``asyncio`` is bound nowhere, or only by ``import asyncio`` at the
    module's top level, as the command's ``module_name_free`` requires of an offload.
    When every spelling of the name is the root of a dotted name outside an import, or
    that import on a line of its own, no ``ast`` walk is needed; otherwise
    :func:`~codemods.core.plain_names.bound_otherwise` tells."""
    for match in _ASYNCIO_NAME.finditer(data):
        line_start = data.rfind(b"\n", 0, match.start()) + 1
        before = data[line_start : match.start()]
        if _DOTTED.match(data, match.end()) and b"import" not in before:
            continue
        if _PLAIN_IMPORT.match(data, line_start):
            continue
        bound = bound_otherwise(data)
        return bound is not None and "asyncio" not in bound
    return True


def _calls_by_position(
    tree: ast.Module, lines: list[str], wanted: set[int]
) -> dict[tuple[int, int], tuple[ast.Call, ast.stmt | None]]:
    """Each call that runs directly in a coroutine and is not awaited, by its position (as
    the index gives it), with the simple statement holding it, or the compound statement
    of whose header it is part (None: one of another kind); only in the top-level
    statements that span one of the lines ``wanted``."""
    found: dict[tuple[int, int], tuple[ast.Call, ast.stmt | None]] = {}
    spellings: list[frozenset[str]] = []  # made when a plain with asks for it

    def visit(node: ast.AST, statement: ast.stmt | None, in_coroutine: bool) -> None:
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns"):
                continue  # never coroutine code
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.stmt):
                    visit_statement(child, in_coroutine)
                elif isinstance(child, ast.AST):
                    if (
                        isinstance(child, ast.Call)
                        and in_coroutine
                        and not isinstance(node, ast.Await)
                    ):
                        found[position(child, lines)] = (child, statement)
                    here = in_coroutine and not isinstance(child, _ELSEWHERE)
                    visit(child, statement, here)

    def visit_statement(statement: ast.stmt, in_coroutine: bool) -> None:
        if isinstance(statement, ast.AsyncFunctionDef):
            for part in (*statement.decorator_list, statement.args):
                visit(part, None, in_coroutine)
            for inner in statement.body:
                visit_statement(inner, True)
            return
        here = in_coroutine and not isinstance(statement, _ELSEWHERE)
        if isinstance(statement, ast.With):
            if not spellings:
                spellings.append(_lock_spellings(tree))
            here = in_coroutine and not _may_hold_a_lock(statement, spellings[0])
        simple = not isinstance(statement, _COMPOUND)
        visit(statement, statement if simple or isinstance(statement, _HEADERS) else None, here)

    for statement in tree.body:
        first = min(
            [statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))]
        )
        last = statement.end_lineno or statement.lineno
        if any(first <= line <= last for line in wanted):
            visit_statement(statement, False)
    return found


#: Compound statements whose header (up to the body) is rewritten alone.
_HEADERS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)


def _lock_spellings(tree: ast.Module) -> frozenset[str]:
    """As :func:`codemods.core.plain_names.lock_spellings`, of a parsed module."""
    spellings = set(LOCK_CLASSES)
    for node in parsed.walk(tree):
        if isinstance(node, ast.ImportFrom):
            spellings.update(
                alias.asname for alias in node.names if alias.asname and alias.name in LOCK_CLASSES
            )
    return frozenset(spellings)


def _may_hold_a_lock(statement: ast.With, spellings: frozenset[str]) -> bool:
    """Whether the command may take a ``with`` item for a thread lock (then what runs in
    the block is not coroutine code for it): a name or attribute named like a lock, or a
    call whose last name a lock class may be spelled with (the command then asks the scope
    analysis)."""
    for item in statement.items:
        expression = item.context_expr
        if isinstance(expression, ast.Call):
            func = expression.func
            last = func.attr if isinstance(func, ast.Attribute) else None
            if isinstance(func, ast.Name):
                last = func.id
            if last is not None and last in spellings:
                return True
        elif isinstance(expression, ast.Attribute) and LOCK_NAME.search(expression.attr):
            return True
        elif isinstance(expression, ast.Name) and LOCK_NAME.search(expression.id):
            return True
    return False


_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


def _span(statement: ast.stmt, lines: list[str]) -> tuple[int, int, str] | None:
    """The lines the unit of ``statement`` spans (first, last) and what follows them in the
    unit: a simple statement's own lines, nothing after; a compound statement's header
    (the lines before its body), then ``pass`` where the body starts. None when the unit
    shares a line with other code."""
    first = statement.lineno
    if first > len(lines):
        return None
    head = lines[first - 1].encode("utf-8")[: statement.col_offset]
    if not head or head.strip(b" \t"):
        return None  # at the start of the module, or after other code on its line
    if isinstance(statement, _HEADERS):
        body = statement.body[0].lineno
        if body <= first or body > len(lines):
            return None
        indent = re.match(r"[ \t]*", lines[body - 1])
        newline = re.search(r"\r\n|\r|\n", lines[body - 2])
        if indent is None or newline is None:
            return None
        return first, body - 1, f"{indent.group()}pass{newline.group()}"
    last = statement.end_lineno or first
    if last > len(lines) or statement.end_col_offset is None:
        return None
    tail = lines[last - 1].encode("utf-8")[statement.end_col_offset :].decode("utf-8")
    rest = tail.strip(" \t\f\r\n")
    return (first, last, "") if not rest or rest.startswith("#") else None


def _rewritten(
    statement: ast.stmt,
    held: list[tuple[ast.Call, Site]],
    lines: list[str],
    offload: bool,
    findings: list[Finding],
) -> str | None:
    """The text of ``statement`` with its sites offloaded (or reported), as the command
    makes it; None if libcst sees the statement otherwise."""
    first, last, after = _span(statement, lines) or (0, 0, "")
    own = lines[first - 1 : last]
    try:
        unit = cst.parse_module("if True:\n" + "".join(own) + after)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    held_statement = _the_statement(unit, bool(after))
    if held_statement is None:
        return None
    wrapper = MetadataWrapper(unit, unsafe_skip_copy=True)
    where = wrapper.resolve(PositionProvider)
    shift = first - 2  # the unit's line 2 is the statement's first line
    libcst_calls = {
        (span.start.line + shift, span.start.column + 1): node
        for node, span in where.items()
        if isinstance(node, cst.Call)
    }
    comments = _comments(own, first)
    # The lines a comment silences the statement from, as the command counts them.
    span = where[held_statement]
    statement_lines = {span.start.line + shift, span.end.line + shift}
    if isinstance(held_statement, cst.BaseCompoundStatement):
        body = where[held_statement.body]
        statement_lines = {span.start.line + shift, body.start.line - 1 + shift}
    targets: dict[int, tuple[Site, tuple[int, int]]] = {}
    for call, site in held:
        node = libcst_calls.get((site.line, site.col))
        if node is None:
            return None
        span = where[node]
        call_lines = {span.start.line + shift, span.end.line + shift}
        if call.lineno not in call_lines:
            return None
        near = call_lines | statement_lines
        at = (site.line, site.col)
        what = _what(site)
        if site.refusal:
            if not _silenced("AM653", near, comments):
                message = f"{what}; not offloaded: {site.refusal}"
                findings.append(Finding(*at, "AM653", message, False))
            continue
        if not offload:
            if not _silenced("AM652", near, comments):
                findings.append(
                    Finding(*at, "AM652", f"{what}; left as is (offloading is off)", False)
                )
            continue
        if _silenced("AM651", near, comments):
            continue
        kept = f" (kept sync in async mode: {site.kept})" if site.kept else ""
        findings.append(Finding(*at, "AM651", f"{what}; offloaded{kept}", True))
        targets[id(node)] = (site, at)
    if not targets:
        return "".join(own)
    parent = parents(unit)
    made = unit.visit(_Offload(set(targets), parent)).code
    made = made[made.index("\n") + 1 :]  # after the line "if True:"
    if not made.endswith(after):
        return None
    return made[: len(made) - len(after)]


def _the_statement(unit: cst.Module, header: bool) -> cst.BaseStatement | None:
    """The statement a unit holds (``if True:`` around it), if libcst sees one statement
    where ``ast`` does: a simple statement line, or a compound statement whose body is the
    ``pass`` put where its body starts."""
    block = unit.body[0] if len(unit.body) == 1 else None
    if not (
        isinstance(block, cst.If)
        and isinstance(block.body, cst.IndentedBlock)
        and len(block.body.body) == 1
        and not block.body.footer
        and block.orelse is None
    ):
        return None
    statement = block.body.body[0]
    if not header:
        return statement if isinstance(statement, cst.SimpleStatementLine) else None
    if not isinstance(statement, (cst.If, cst.For, cst.While, cst.With)):
        return None
    body = statement.body
    if getattr(statement, "orelse", None) is not None or not (
        isinstance(body, cst.IndentedBlock)
        and len(body.body) == 1
        and not body.footer
        and isinstance(body.body[0], cst.SimpleStatementLine)
        and len(body.body[0].body) == 1
        and isinstance(body.body[0].body[0], cst.Pass)
    ):
        return None
    return statement


class _Offload(cst.CSTTransformer):
    """``await asyncio.to_thread(func, *args)`` for the calls named, as the command makes it."""

    def __init__(self, targets: set[int], parent: dict[cst.CSTNode, cst.CSTNode]) -> None:
        super().__init__()
        self.targets = targets
        self.parent = parent

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if id(original_node) not in self.targets:
            return updated_node
        return awaited_at(
            original_node, to_thread_call(updated_node), self.parent.get(original_node)
        )


def _comments(own: list[str], first: int) -> dict[int, str]:
    """Line -> the comment on it, for the lines ``own`` (the first is line ``first``)."""
    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO("".join(own)).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0] + first - 1] = token.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _silenced(code: str, lines: set[int], comments: dict[int, str]) -> bool:
    """Whether a comment on one of ``lines`` silences ``code`` (see the codemods'
    ``suppressed``)."""
    codes = frozenset(c.upper() for c in (code, *HelpersCommand.RUFF_CODES.get(code, ())))
    for line in lines:
        comment = comments.get(line)
        suppression = parse_comment(comment) if comment is not None else None
        if suppression is not None and suppression.covers(codes):
            return True
    return False


def _imports_asyncio(tree: ast.Module) -> bool:
    """True if the module's top level already holds ``import asyncio``."""
    return any(
        isinstance(statement, ast.Import)
        and any(a.name == "asyncio" and a.asname is None for a in statement.names)
        for statement in tree.body
    )


def _with_asyncio_import(tree: ast.Module, lines: list[str], filename: str) -> list[str] | None:
    """``lines`` (the new text by line of the input) with ``import asyncio`` added by the
    command's import passes, run on the module's first statements: the docstring or first
    statement, the import lines after it and the statement after those, all the passes
    read and change."""
    groups = _statement_lines(tree)
    if groups is None:
        return None
    end = 1
    while end < len(groups) and groups[end][2]:
        end += 1
    head_end = groups[min(end, len(groups) - 1)][1]
    if head_end > len(lines):
        return None
    head = "".join(lines[:head_end])
    try:
        module = cst.parse_module(head)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    if len(module.body) != min(end + 1, len(groups)):
        return None
    context = CodemodContext(filename=filename)
    AddImportsVisitor.add_needed_import(context, _ASYNCIO.module_name)
    made = run_import_passes(context, module).code
    if end + 1 < len(groups) and not made.endswith(("\n", "\r")):
        return None
    return [made, *lines[head_end:]]


def _statement_lines(tree: ast.Module) -> list[tuple[int, int, bool]] | None:
    """The module's top-level statements as libcst groups them (several small statements
    on one line are one): (first line, last line, a lone import on its lines)."""
    groups: list[list[Any]] = []
    for statement in tree.body:
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        decorators = getattr(statement, "decorator_list", [])
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        if groups and first <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], last)
            groups[-1][2] = False
            continue
        groups.append([first, last, isinstance(statement, (ast.Import, ast.ImportFrom))])
    return [(a, b, c) for a, b, c in groups]
