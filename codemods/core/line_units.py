"""Calls rewritten by editing the text of the statements that hold them, without libcst:
the fastest of the codemods' ``edit`` paths, for the rewrites that rename a call's callee
(``time.sleep(x)`` -> ``await asyncio.sleep(x)``) or hand the call to a thread
(``f(a)`` -> ``await asyncio.to_thread(f, a)``).

Each statement holding such a call must be a simple statement, or the header of an
``if``, ``for``, ``while`` or ``with`` statement, on lines of its own (a unit,
:func:`codemods.core.sites.span`); the call is found by its ``ast`` position, its callee's
text must be what ``ast`` prints of it (a dotted name, or ``Path(p).exists`` written
plainly: no comment or line break inside, the spacing ``ast`` gives), and
no parenthesis may open right before the call or close right after it, but those of the
call whose first or last argument it is (elsewhere libcst may see parentheses around it
that ``ast`` does not show). ``await`` goes before it, in parentheses where it is the
object of an attribute, a subscript or a call; the new callee replaces the old one, or
becomes the first argument, laid out as the codemods' ``to_thread_call`` lays it out;
nothing else of the lines changes. That is what libcst prints for the codemods' own
rewrites of those calls; the import passes run as line edits too
(:mod:`codemods.core.line_imports`).

Every function here says None for any other shape: the libcst paths then run.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codemods.core import line_imports, parsed
from codemods.core.findings import Finding
from codemods.core.import_names import Removal, imported_at_top, unused
from codemods.core.sites import HEADERS, comments, span, spliced


@dataclass
class LineUnit:
    """One simple statement of the module on lines of its own, or the header of an
    ``if``, ``for``, ``while`` or ``with`` statement (the lines before its body)."""

    statement: ast.stmt
    first: int
    last: int
    #: Line of the module -> the comment on it, for the unit's lines.
    comments: dict[int, str]

    def suppression_lines(self, call: ast.Call) -> set[int]:
        """The lines where a comment silences ``call``, as the codemods' ``suppressed``
        counts them: its first and last, and its statement's (a header's: its first, and
        the line before its body)."""
        return {call.lineno, call.end_lineno or call.lineno, self.first, self.last}

    def parts(self) -> list[ast.AST]:
        """What of the statement is on the unit's lines: the whole of a simple statement,
        a header's test, target and iterable, or items."""
        statement = self.statement
        if isinstance(statement, ast.If | ast.While):
            return [statement.test]
        if isinstance(statement, ast.For | ast.AsyncFor):
            return [statement.target, statement.iter]
        if isinstance(statement, ast.With | ast.AsyncWith):
            return list(statement.items)
        return [statement]


def units_of(statements: Sequence[ast.stmt], lines: list[str]) -> list[LineUnit] | None:
    """A unit for each of ``statements`` (in the order given), or None if one is a
    compound statement other than those headers, shares a line with other code or another
    unit, or ends the module without a line end."""
    units = []
    taken: set[int] = set()
    for statement in statements:
        if isinstance(statement, parsed.COMPOUND_STATEMENTS) and not isinstance(statement, HEADERS):
            return None
        found = span(statement, lines)
        if found is None or not lines[found[1] - 1].endswith(("\n", "\r")):
            return None
        first, last, _ = found
        if isinstance(statement, ast.If) and lines[first - 1].lstrip(" \t").startswith("elif"):
            return None  # a branch of the statement above: libcst's unit is that statement
        if taken & set(range(first, last + 1)):
            return None
        taken.update(range(first, last + 1))
        units.append(LineUnit(statement, first, last, comments(lines[first - 1 : last], first)))
    return units


@dataclass(frozen=True)
class Renamed:
    """``old(args)`` (the callee written exactly so) becomes ``await new(args)``."""

    old: str
    new: str


@dataclass(frozen=True)
class ToThread:
    """``f(args)`` becomes ``await asyncio.to_thread(f, args)``, as
    the codemods' ``to_thread_call`` makes it."""


Rewrite = Renamed | ToThread

#: An edit of a unit's text: the span replaced (from, to: each the index of a line in the
#: unit and a column in characters) and the new text.
_Edit = tuple[tuple[int, int], tuple[int, int], str]


def awaited(
    units: Sequence[LineUnit], rewrites: dict[int, tuple[ast.Call, Rewrite]], lines: list[str]
) -> dict[int, str] | None:
    """Each unit's new text (by its first line) with each call of ``rewrites`` (by the
    call's id: the call and its rewrite) in it rewritten and awaited; None when a call is
    not of the shape this path takes."""
    made: dict[int, str] = {}
    for unit in units:
        own = lines[unit.first - 1 : unit.last]
        parents: dict[int, ast.AST] = {}  # of the nodes on the unit's lines (not a body's)
        here: list[tuple[ast.Call, Rewrite]] = []
        for part in unit.parts():
            for node in parsed.walk(part):
                for child in ast.iter_child_nodes(node):
                    parents[id(child)] = node
                if id(node) in rewrites:
                    here.append(rewrites[id(node)])
        edits: list[_Edit] = []
        for call, rewrite in here:
            if _in_f_string(call, parents):
                return None  # positions inside f-strings are not the source's before 3.12
            found = _edits(call, rewrite, parents.get(id(call)), own, unit.first)
            if found is None:
                return None
            edits += found
        if not edits:
            continue
        made[unit.first] = _applied(own, edits)
    return made


def _applied(own: list[str], edits: list[_Edit]) -> str:
    starts = [0]
    for line in own:
        starts.append(starts[-1] + len(line))
    text = "".join(own)
    for (a, b), (c, d), replacement in sorted(edits, reverse=True):
        text = text[: starts[a] + b] + replacement + text[starts[c] + d :]
    return text


def _in_f_string(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.JoinedStr):
            return True
        parent = parents.get(id(parent))
    return False


def _edits(
    call: ast.Call, rewrite: Rewrite, parent: ast.AST | None, own: list[str], first: int
) -> list[_Edit] | None:
    """The edits that make ``await <rewrite of call>`` of the call, parenthesised where
    it stands needs it."""
    func = call.func
    if call.end_lineno is None or call.end_col_offset is None:
        return None
    if func.end_lineno != func.lineno or func.lineno != call.lineno:
        return None
    at, last = call.lineno - first, call.end_lineno - first
    line = own[at]
    start = _column(line, call.col_offset)
    func_end = _column(line, func.end_col_offset or 0)
    end = _column(own[last], call.end_col_offset)
    if start is None or func_end is None or end is None:
        return None
    if not _stands_alone(own, call, parent, (at, start), (last, end), first):
        return None
    wrap = _needs_parentheses(call, parent)
    await_ = "(await " if wrap else "await "
    closing: list[_Edit] = [((last, end), (last, end), ")")] if wrap else []
    callee = line[start:func_end]
    if isinstance(rewrite, Renamed):
        if callee != rewrite.old:
            return None
        return [((at, start), (at, func_end), await_ + rewrite.new), *closing]
    # asyncio.to_thread(f, args): the callee becomes the first argument, after the
    # whitespace written after the parenthesis, and before the same whitespace when it
    # ends the line (one space otherwise), after a comma.
    if callee != ast.unparse(func) or line[func_end : func_end + 1] != "(":
        return None  # the callee not written as ``ast`` prints it
    if any(isinstance(a, ast.GeneratorExp) for a in call.args):
        return None
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    head = f"{await_}asyncio.to_thread("
    if not arguments:
        gap = line[func_end + 1 : end - 1] if last == at else None
        if gap is None or gap.strip(" \t") or line[end - 1 : end] != ")":
            return None
        return [((at, start), (at, end), f"{head}{gap}{callee})" + (")" if wrap else ""))]
    first_argument = min(arguments, key=lambda a: (a.lineno, a.col_offset))
    there = first_argument.lineno - first
    argument_start = _column(own[there], first_argument.col_offset)
    if argument_start is None:
        return None
    if there == at:
        gap = line[func_end + 1 : argument_start]
        if gap.strip(" \t"):
            return None
        between = " "
    else:  # the parenthesis ends its line (a comment after it, blank or comment lines
        # below stay where they are); the callee goes where the first argument starts
        rest, indent = line[func_end + 1 :], own[there][:argument_start]
        below = own[at + 1 : there]
        if not rest.endswith("\n") or rest.endswith("\r\n") or indent.strip(" \t"):
            return None
        if not all(_blank_or_comment(text) for text in (rest, *below)):
            return None
        gap, between = "".join((rest, *below, indent)), "\n" + indent
    return [((at, start), (there, argument_start), f"{head}{gap}{callee},{between}"), *closing]


def _blank_or_comment(line: str) -> bool:
    code = line.lstrip(" \t")
    return code.startswith("#") or not code.strip("\r\n")


def callee_is(call: ast.Call, spelled: str, lines: list[str]) -> bool:
    """Whether the call's callee is written ``spelled`` exactly, on one line, where the
    call starts (no parentheses, spaces or comments in it)."""
    func = call.func
    if func.lineno != call.lineno or func.end_lineno != func.lineno:
        return False
    line = lines[call.lineno - 1]
    start, end = _column(line, call.col_offset), _column(line, func.end_col_offset or 0)
    return start is not None and end is not None and line[start:end] == spelled


def _column(line: str, offset: int) -> int | None:
    """The index in ``line`` of the UTF-8 byte offset ``offset`` (as ``ast`` counts)."""
    try:
        return len(line.encode("utf-8")[:offset].decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _stands_alone(
    own: list[str],
    call: ast.Call,
    parent: ast.AST | None,
    start: tuple[int, int],
    end: tuple[int, int],
    first: int,
) -> bool:
    """Whether the code right before and after the call says libcst sees no parentheses
    around it: no opening parenthesis before it but that of the call whose first argument
    it is, no closing one after it but that of the call whose last argument it is. A
    comment between the call and the code around it makes this say no."""
    text = "".join(own)
    offsets = [0]
    for line in own:
        offsets.append(offsets[-1] + len(line))
    at, after_at = offsets[start[0]] + start[1], offsets[end[0]] + end[1]
    before = text[:at].rstrip(" \t\r\n")
    if "#" in before[before.rfind("\n") + 1 :] and start[0] > 0:
        return False  # a comment may hold the last character seen
    after = text[after_at:].lstrip(" \t")
    if after.startswith("#"):
        if end[0] != len(own) - 1:
            return False
        after = ""  # the statement's own comment, after its last line's code
    else:
        after = after.lstrip(" \t\r\n")
        if after.startswith("#"):
            return False
    arguments = [*parent.args, *parent.keywords] if isinstance(parent, ast.Call) else []
    positions = sorted(arguments, key=lambda a: (a.lineno, a.col_offset))
    opens, closes = before.endswith("("), after.startswith(")")
    if opens and not (positions and positions[0] is call):
        return False
    if closes and not (positions and positions[-1] is call):
        return False
    if opens or closes:  # the parent call's own parentheses, with only whitespace between
        assert isinstance(parent, ast.Call)
        func, text_at = parent.func, lambda line, col: offsets[line - first] + col
        opening = _column(own[(func.end_lineno or 0) - first], func.end_col_offset or 0)
        closing = _column(own[(parent.end_lineno or 0) - first], parent.end_col_offset or 0)
        if opening is None or closing is None:
            return False
        head = text[text_at(func.end_lineno or 0, opening) : at]
        tail = text[after_at : text_at(parent.end_lineno or 0, closing)]
        if opens and head.strip(" \t\r\n") != "(":
            return False
        if closes and tail.strip(" \t\r\n") != ")":
            return False
    return True


def _needs_parentheses(call: ast.Call, parent: ast.AST | None) -> bool:
    """Whether ``await <call>`` needs parentheses where ``call`` stands (as the codemods'
    ``needs_parentheses``): as the object of an attribute, a subscript or a call."""
    if isinstance(parent, ast.Attribute | ast.Subscript):
        return parent.value is call
    if isinstance(parent, ast.Call):
        return parent.func is call
    return isinstance(parent, ast.Await)


def finished(
    tree: ast.Module,
    lines: list[str],
    units: Sequence[LineUnit],
    made: dict[int, str],
    filename: str,
    add: Sequence[str] = (),
    drop: Sequence[Removal] = (),
    renamed: frozenset[int] = frozenset(),
) -> bytes | None:
    """The module with the units' new text ``made`` in place of their lines, ``import m``
    added for each of ``add`` the top level lacks, and the imports of ``drop`` the new code
    no longer uses removed; None when a string may still use a name to remove, or the
    import edits do not fit. The new code's names are the module's but for the callees
    renamed, ``renamed`` (the ids of their nodes in ``tree``: their names are gone)."""
    chunks = spliced(lines, units, made)
    remove = unused(tree, drop, renamed)
    if remove is None:
        return None
    wanted = [m for m in add if not imported_at_top(tree, m)]
    if wanted or remove:
        with_changes = line_imports.with_imports(tree, lines, chunks, filename, wanted, remove)
        if with_changes is None:
            return None
        chunks = with_changes
    return "".join(chunks).encode("utf-8")


#: A codemod's ``edit`` step: its code and findings for a module, or None (then the next
#: path runs).
Edit = Callable[[bytes, str, dict[str, Any]], tuple[bytes, list[Finding]] | None]


def then_statements(on_lines: Edit, units: str) -> Edit:
    """An ``edit`` step that tries ``on_lines`` (text edits), then, where it says None, the
    ``edited`` of the module named ``units`` (the statements path, libcst on the units:
    imported only then)."""

    def edited(
        data: bytes, filename: str, options: dict[str, Any]
    ) -> tuple[bytes, list[Finding]] | None:
        made = on_lines(data, filename, options)
        if made is not None:
            return made
        edit: Edit = importlib.import_module(units).edited
        return edit(data, filename, options)

    return edited
