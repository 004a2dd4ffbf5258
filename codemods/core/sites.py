"""Where a codemod's calls are in a module, read from its ``ast`` tree and text, without
libcst: each call inside a coroutine with the statement holding it
(:func:`calls_in_coroutines`), the lines of the unit that statement makes (:func:`span`),
the comments on those lines and whether one silences a code (:func:`silenced`).

What the statements paths (:mod:`codemods.core.statements`, libcst on the units) and the
line paths (:mod:`codemods.core.line_units`, text edits) share.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from codemods.core import parsed
from codemods.core.catalogue import LOCK_NAME
from codemods.core.index import position
from codemods.core.plain_names import bound_otherwise, lock_spellings_in
from codemods.core.suppressions import parse_comment

#: A line of source with its end (``\r\n``, ``\r`` or ``\n``), as Python counts lines.
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

#: What does not run directly in the coroutine it is in (or may not: a plain ``with`` may
#: hold a thread lock, unless no item looks like one), as the commands' visit tracks it.
_ELSEWHERE = (ast.Lambda, ast.GeneratorExp, ast.With, ast.FunctionDef, ast.ClassDef)

#: Compound statements whose header (up to the body) is a unit of its own.
HEADERS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)

#: A line's end.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def module_newline(lines: Sequence[str]) -> str:
    """The newline libcst gives a module whose lines are ``lines`` (:data:`LINE`), and
    writes the lines it adds with: the first line's ending, ``\\n`` if none has one."""
    found = next((m for m in map(_NEWLINE.search, lines) if m is not None), None)
    return found.group() if found else "\n"


def source_text(data: bytes) -> tuple[str, ast.Module] | None:
    """``data`` decoded, and its ``ast`` tree: None for what the units do not handle (not
    UTF-8, a byte order mark, a syntax error)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    tree = parsed.parse(data)
    if tree is None or text.startswith("\ufeff"):
        return None
    return text, tree


# -- where the calls run --------------------------------------------------------------


@dataclass(frozen=True)
class CallSite:
    call: ast.Call
    #: The simple statement holding the call, or the compound statement of whose header
    #: it is part; None: a statement of another kind.
    statement: ast.stmt | None
    #: It runs directly in its coroutine and is not awaited.
    direct: bool


def calls_in_coroutines(
    tree: ast.Module,
    lines: list[str],
    wanted: Iterable[int],
    every: list[CallSite] | None = None,
) -> dict[tuple[int, int], CallSite]:
    """Each call inside a coroutine, by its position (1-based line, 1-based column in
    characters, as libcst counts them; ``lines`` from :func:`~codemods.core.index.
    source_lines`), in the statements that span one of the lines ``wanted`` (the calls
    on those lines, and others beside them). Of calls that start together
    (``Path(p).exists()``), the innermost; ``every`` gets them all."""
    found: dict[tuple[int, int], CallSite] = {}
    spellings: list[frozenset[str]] = []  # made when a plain with asks for it
    wanted = set(wanted)

    def visit(node: ast.AST, statement: ast.stmt | None, direct: bool, inside: bool) -> None:
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns"):
                continue  # never coroutine code
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.stmt):
                    visit_statement(child, direct, inside)
                elif isinstance(child, ast.AST):
                    if isinstance(child, ast.Call) and inside:
                        here = direct and not isinstance(node, ast.Await)
                        site = CallSite(child, statement, here)
                        found[position(child, lines)] = site
                        if every is not None:
                            every.append(site)
                    visit(child, statement, direct and not isinstance(child, _ELSEWHERE), inside)

    def visit_statement(statement: ast.stmt, direct: bool, inside: bool) -> None:
        if not spans_wanted(statement):
            return  # no call on a wanted line is in it
        if isinstance(statement, ast.AsyncFunctionDef):
            for part in (*statement.decorator_list, statement.args):
                visit(part, None, direct, inside)
            for inner in statement.body:
                visit_statement(inner, True, True)
            return
        here = direct and not isinstance(statement, _ELSEWHERE)
        if isinstance(statement, ast.With):
            if not spellings:
                spellings.append(lock_spellings_in(tree))
            here = direct and not _may_hold_a_lock(statement, spellings[0])
        simple = not isinstance(statement, parsed.COMPOUND_STATEMENTS)
        unit = statement if simple or isinstance(statement, HEADERS) else None
        visit(statement, unit, here, inside)

    ordered = sorted(wanted)

    def spans_wanted(statement: ast.stmt) -> bool:
        first, last = parsed.first_line(statement), statement.end_lineno or statement.lineno
        at = bisect_left(ordered, first)
        return at < len(ordered) and ordered[at] <= last

    for statement in tree.body:
        visit_statement(statement, False, False)
    return found


def _may_hold_a_lock(statement: ast.With, spellings: frozenset[str]) -> bool:
    """Whether the commands may take a ``with`` item for a thread lock (then what runs in
    the block is not coroutine code for them): a name or attribute named like a lock, or a
    call whose last name a lock class may be spelled with (they then ask the scope
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


def holding_statements(sites: Iterable[CallSite | None]) -> list[ast.stmt] | None:
    """The statements (or compound headers) that hold ``sites``, each once, in the order
    met; None when one is missing or does not run directly in its coroutine, or has no
    unit (a reference, a call the command reports or leaves)."""
    statements: dict[int, ast.stmt] = {}
    for site in sites:
        if site is None or not site.direct or site.statement is None:
            return None
        statements[id(site.statement)] = site.statement
    return list(statements.values())


# -- units ----------------------------------------------------------------------------


def span(statement: ast.stmt, lines: list[str]) -> tuple[int, int, str] | None:
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
    if isinstance(statement, HEADERS):
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


# -- comments ---------------------------------------------------------------------------


def comments(own: list[str], first: int) -> dict[int, str]:
    """Line -> the comment on it, for the lines ``own`` (the first is line ``first``)."""
    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO("".join(own)).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0] + first - 1] = token.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


class Spanning(Protocol):
    #: The unit's first and last lines in the module.
    first: int
    last: int


def spliced(lines: list[str], units: Sequence[Spanning], made: dict[int, str]) -> list[str]:
    """The new text by line of the input: each unit's new text on its first line, its
    other lines empty."""
    chunks = list(lines)
    for unit in units:
        if unit.first in made:
            chunks[unit.first - 1 : unit.last] = [made[unit.first]] + [""] * (
                unit.last - unit.first
            )
    return chunks


class Commented(Protocol):
    #: Line of the module -> the comment on it, for the unit's lines.
    comments: dict[int, str]


def silenced(
    code: str, ruff_codes: dict[str, tuple[str, ...]], lines: set[int], unit: Commented
) -> bool:
    """Whether a comment on one of ``lines`` of ``unit`` silences ``code`` (or a ruff code
    the codemod maps to it), as the codemods' ``suppressed`` tells."""
    codes = frozenset(c.upper() for c in (code, *ruff_codes.get(code, ())))
    for line in lines:
        comment = unit.comments.get(line)
        suppression = parse_comment(comment) if comment is not None else None
        if suppression is not None and suppression.covers(codes):
            return True
    return False


# -- names and imports --------------------------------------------------------------------

_ASYNCIO_NAME = re.compile(rb"\basyncio\b")
_PLAIN_IMPORT = re.compile(rb"import[ \t]+asyncio[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)")
_DOTTED = re.compile(rb"[ \t]*\.")


def asyncio_only_imported(data: bytes) -> bool:
    """Whether the name ``asyncio`` is bound nowhere, or only by ``import asyncio`` at the
    module's top level, as the codemods' ``module_name_free`` requires of a rewrite.
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
