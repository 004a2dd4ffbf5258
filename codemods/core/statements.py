"""Calls rewritten on the statements that hold them, without libcst on the rest of the
module: the shared part of the codemods' ``edit`` step (see ``CodemodSpec.edit``).

A codemod whose decisions can be read from the ``ast`` tree finds its calls there
(:func:`calls_in_coroutines`); each statement holding one (or the header of the ``if``,
``for``, ``while`` or ``with`` statement it is in, with ``pass`` standing in for the body)
is a unit (:func:`span`). The units of a module are parsed together by libcst, each inside
an ``if True:`` block (:class:`Batch`), rewritten by one visit with the codemod's own
functions, and printed one by one in place of their lines (:func:`spliced`). The imports
the rewrite needs or makes unused are added and removed by the codemods' import passes, on
the module's first statements and the statements that hold an import to remove only
(:func:`with_imports`). Nothing else of the module is parsed by libcst or printed again.

Every function here says None where what it would give is not what the codemod's command
would make of the whole module (a unit sharing its line with other code, a position libcst
sees elsewhere, a name bound otherwise): the engine then runs the command as usual.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from codemods.core import parsed
from codemods.core.base import awaited_at
from codemods.core.code_positions import positions
from codemods.core.import_names import Removal, bound_name, imported_at_top, unused
from codemods.core.imports import marked, run_import_passes, unused_mark
from codemods.core.parents import parents
from codemods.core.sites import (  # noqa: F401 - the statements paths' names, in one place
    LINE,
    CallSite,
    asyncio_only_imported,
    calls_in_coroutines,
    comments,
    holding_statements,
    module_newline,
    silenced,
    source_text,
    span,
    spliced,
)


@dataclass
class Unit:
    """One statement (or header) of the module, as libcst parsed it inside the batch."""

    statement: ast.stmt
    first: int
    last: int
    after: str
    #: The ``if True:`` block around it in the batch, and the statement in that block.
    block: cst.If
    held: cst.BaseStatement
    #: Added to a line of the batch, the line of the module.
    shift: int
    #: Line of the module -> the comment on it, for the unit's lines.
    comments: dict[int, str]


class Batch:
    """The units of a module, parsed together by libcst, each in an ``if True:`` block."""

    def __init__(self, module: cst.Module, units: list[Unit]) -> None:
        self.module = module
        self.units = units
        self.where = positions(module)

    @classmethod
    def of(cls, statements: Sequence[ast.stmt], lines: list[str]) -> Batch | None:
        """The units of ``statements`` (in the order given), or None if one does not fit:
        units that share a line, or that libcst parses otherwise than ``ast``."""
        spans = []
        taken: set[int] = set()
        for statement in statements:
            found = span(statement, lines)
            if found is None or not lines[found[1] - 1].endswith(("\n", "\r")):
                return None
            if taken & set(range(found[0], found[1] + 1)):
                return None
            taken.update(range(found[0], found[1] + 1))
            spans.append(found)
        # libcst writes the lines a rewrite adds with the newline its module starts with:
        # the module's own, as on the whole module.
        newline = module_newline(lines)
        text = "".join(
            f"if True:{newline}" + "".join(lines[first - 1 : last]) + after
            for first, last, after in spans
        )
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError):
            return None
        if len(module.body) != len(spans):
            return None
        units = []
        at = 1  # the line of the batch where the next block starts
        for statement, (first, last, after), block in zip(
            statements, spans, module.body, strict=True
        ):
            held = _held(block, bool(after))
            if held is None:
                return None
            own = lines[first - 1 : last]
            units.append(
                Unit(
                    statement, first, last, after, block, held, first - at - 1, comments(own, first)
                )  # type: ignore[arg-type]
            )
            at += 1 + len(own) + (1 if after else 0)
        return cls(module, units)

    def calls(
        self, unit: Unit, shared: set[tuple[int, int]] | None = None
    ) -> dict[tuple[int, int], cst.Call]:
        """The calls of ``unit`` by their position in the module (of calls that start
        together, the last met); ``shared`` gets the positions where several start."""
        found: dict[tuple[int, int], cst.Call] = {}
        for node in _walk(unit.held):
            if isinstance(node, cst.Call):
                start = self.where[node].start
                at = start.line + unit.shift, start.column + 1
                if shared is not None and at in found:
                    shared.add(at)
                found[at] = node
        return found

    def suppression_lines(self, unit: Unit, node: cst.CSTNode) -> set[int]:
        """The lines of the module where a comment silences ``node``, as the codemods'
        ``suppressed`` counts them: its first and last, and its statement's (a compound
        statement's header: its first, and the line before its body)."""
        where, shift = self.where[node], unit.shift
        lines = {where.start.line + shift, where.end.line + shift}
        statement = self.where[unit.held]
        lines.add(statement.start.line + shift)
        if isinstance(unit.held, cst.BaseCompoundStatement):
            lines.add(self.where[unit.held.body].start.line - 1 + shift)
        else:
            lines.add(statement.end.line + shift)
        return lines

    def awaited(self, rewrites: dict[int, Rewrite]) -> dict[int, str] | None:
        """Each unit's new text (by its first line) with ``await <rewrite(call)>`` in place
        of each call whose id is a key of ``rewrites`` (with that key's rewrite),
        parenthesised where it stands as the codemods' ``awaited`` does."""
        new = self.module.visit(_Awaiting(rewrites, parents(self.module)))
        if len(new.body) != len(self.units):
            return None
        made: dict[int, str] = {}
        for unit, block in zip(self.units, new.body, strict=True):
            code = new.code_for_node(block)
            code = code[code.index("\n") + 1 :]  # after the line "if True:"
            if not code.endswith(unit.after):
                return None
            made[unit.first] = code[: len(code) - len(unit.after)]
        return made


#: What a call becomes before it is awaited (``asyncio.sleep(x)`` for ``time.sleep(x)``).
Rewrite = Callable[[cst.Call], cst.BaseExpression]


class _Awaiting(cst.CSTTransformer):
    def __init__(
        self, rewrites: dict[int, Rewrite], parent: dict[cst.CSTNode, cst.CSTNode]
    ) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.parent = parent

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        rewrite = self.rewrites.get(id(original_node))
        if rewrite is None:
            return updated_node
        new = rewrite(updated_node)
        return awaited_at(original_node, new, self.parent.get(original_node))


def _held(block: cst.BaseStatement, header: bool) -> cst.BaseStatement | None:
    """The statement an ``if True:`` block holds, if libcst sees one statement where
    ``ast`` does: a simple statement line, or a compound statement whose body is the
    ``pass`` put where its body starts."""
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


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def finished(
    tree: ast.Module,
    lines: list[str],
    batch: Batch,
    made: dict[int, str],
    filename: str,
    add: Sequence[str] = (),
    drop: Sequence[Removal] | None = None,
) -> bytes | None:
    """The module with the units' new text ``made`` in place of their lines, ``import m``
    added for each of ``add`` the top level lacks, and the imports of ``drop`` that the new
    code no longer uses removed (as the command's ``drop_import_if_unused`` asks); None when
    the new code does not parse, a string may still use a name to remove (the command's
    removal pass then reads the whole module), or the import passes cannot be placed."""
    chunks = spliced(lines, batch.units, made)
    remove: list[Removal] | None = []
    if drop is not None:
        new_tree = parsed.parse("".join(chunks).encode("utf-8"))
        remove = None if new_tree is None else unused(new_tree, drop)
        if remove is None:
            return None
    wanted = [m for m in add if not imported_at_top(tree, m)]
    if wanted or remove:
        with_changes = with_imports(tree, chunks, filename, add=wanted, remove=remove)
        if with_changes is None:
            return None
        chunks = with_changes
    return "".join(chunks).encode("utf-8")


@dataclass
class _Group:
    """Top-level statements as libcst groups them (several small ones on a line are one)."""

    first: int
    last: int
    lone_import: bool
    binds: set[str]


def _groups(tree: ast.Module) -> list[_Group]:
    groups: list[_Group] = []
    for statement in tree.body:
        first, last = parsed.first_line(statement), statement.end_lineno or statement.lineno
        binds = {
            alias.asname or alias.name.split(".")[0]
            for node in (statement, *parsed.statements(statement))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        if groups and first <= groups[-1].last:
            groups[-1].last = max(groups[-1].last, last)
            groups[-1].lone_import = False
            groups[-1].binds |= binds
            continue
        groups.append(
            _Group(first, last, isinstance(statement, (ast.Import, ast.ImportFrom)), binds)
        )
    return groups


_PART = "_async_migrate_part_"


def with_imports(
    tree: ast.Module,
    chunks: list[str],
    filename: str,
    add: Sequence[str] = (),
    remove: Sequence[Removal] = (),
) -> list[str] | None:
    """``chunks`` (the new text by line of the input, whose top-level statements are
    those of ``tree``) with ``import <module>`` added for each of ``add`` and the imports
    of ``remove`` removed by the codemods' import passes (as a codemod asks with
    ``need_import`` and ``drop_import_if_unused``). The passes run on the module's first
    statements (the docstring or first statement, the import lines after it and the
    statement after those: all the adding pass reads and changes) and on the other
    top-level statements that bind a name of ``remove`` with an import, each with the
    lines above it, put after a marker statement that tells where it starts again."""
    names = {bound_name(removal) for removal in remove}
    groups = _groups(tree)
    if not groups:
        return None
    end = 1
    while end < len(groups) and groups[end].lone_import:
        end += 1
    head_end = groups[min(end, len(groups) - 1)].last
    parts = [
        (groups[index - 1].last + 1, group.last)
        for index, group in enumerate(groups)
        if index > end and names & group.binds
    ]
    if head_end > len(chunks):
        return None
    mark = unused_mark(_PART, "".join(chunks))
    pieces = ["".join(chunks[:head_end])]
    for number, (first, last) in enumerate(parts):
        above = chunks[first - 1 : last]
        if any(re.match(r"[ \t\f]+#", line) for line in above):
            return None  # an indented comment may belong to the block above
        pieces.append(f"{mark}{number} = 0\n" + "".join(above))
    if len(pieces) > 1 and not pieces[0].endswith(("\n", "\r")):
        return None
    try:
        module = cst.parse_module("".join(pieces))
    except (cst.ParserSyntaxError, RecursionError):
        return None
    context = CodemodContext(filename=filename)
    for name in add:
        AddImportsVisitor.add_needed_import(context, name)
    for removal in remove:
        RemoveImportsVisitor.remove_unused_import(context, *removal)
    made = run_import_passes(context, module)
    split = _split(made, mark, len(parts))
    if split is None:
        return None
    head, *rest = split
    if end + 1 < len(groups) and not head.endswith(("\n", "\r")):
        return None
    new = list(chunks)
    new[:head_end] = [head] + [""] * (head_end - 1)
    for (first, last), code in zip(parts, rest, strict=True):
        new[first - 1 : last] = [code] + [""] * (last - first)
    return new


def _split(module: cst.Module, mark: str, parts: int) -> list[str] | None:
    """The code of the head and of each part of ``module``, by the markers."""
    bodies: list[list[cst.BaseStatement]] = [[]]
    for statement in module.body:
        if marked(statement, mark) is not None:
            bodies.append([])
        else:
            bodies[-1].append(statement)
    if len(bodies) != parts + 1:
        return None
    head = module.with_changes(body=bodies[0], footer=() if parts else module.footer).code
    empty = module.with_changes(header=(), footer=())
    return [head, *(empty.with_changes(body=body).code if body else "" for body in bodies[1:])]
