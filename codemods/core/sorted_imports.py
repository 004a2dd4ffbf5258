"""New ``import x`` statements where isort (and ruff's I001, with its default settings) puts
them, in a module whose top-level import block is already sorted that way.

The model of "sorted" is isort's default profile as ruff applies it: sections in the order
``from __future__``, standard library, third-party, first-party, relative imports, separated
by one blank line; within a section, every ``import x`` before every ``from x import y``,
each kind ordered by module name without regard to case (then by its alias, or by the first
name a ``from`` import imports: ``from m import a, b`` before ``from m import c as d``), and
the names of a ``from`` import ordered constants first, then classes, then the rest. Comments
stay with their import: at the end of its line, or on the lines right above it, which isort
sets off by one blank line unless the import opens its section (comments above the block's
first import stay above the block). A module is standard library when its top-level name is
in :data:`sys.stdlib_module_names`; the others are third-party, except that a second group of
them after the third-party one (separated by a blank line), or a group holding the migrated
module's own top package, is first-party (the tool cannot see the project's layout the way
ruff does); a group set off by a blank line and comments that goes on in order with the group
above, in the same section, is part of it. A block this model does not recognise as sorted
(``import a, b``, a missing or extra blank line, an ``isort:`` directive) is left to libcst,
which adds new imports after the last one.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst


class Section(enum.IntEnum):
    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL = 4


@dataclass(frozen=True)
class _Entry:
    """One statement of the import block."""

    index: int  # in the module's body
    statement: cst.SimpleStatementLine
    #: Plain ``import x`` (False) or ``from x import y`` (True).
    is_from: bool
    module: str
    level: int = 0
    #: ``import x as y``: y; ``from x import a as b, ...``: its first name, with its alias.
    alias: str | None = None
    first: tuple[str, str | None] | None = None
    #: How many of the statement's leading lines are blank lines above its own comment lines
    #: (the rest): a blank one sets off a new section or those comments. For the block's
    #: first statement, all of them (they stay above the block).
    above: int = 0


def is_sorted(module: cst.Module, own_package: str | None = None) -> bool:
    """True if the module has a top-level import block, sorted as isort sorts it."""
    return _sorted_sections(module, own_package) is not None


def with_sorted_import(
    module: cst.Module, name: str, own_package: str | None = None
) -> cst.Module | None:
    """``module`` with ``import name`` added where isort would put it, or None when the
    module's import block is empty or not sorted as isort sorts it (then the caller adds
    the import its own way). ``own_package`` is the migrated module's top package."""
    groups = _sorted_sections(module, own_package)
    if groups is None:
        return None
    new = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(_dotted(name))])])
    section = _section_of_new(name)
    return _inserted(module, groups, section, new, name)


def _sorted_sections(
    module: cst.Module, own_package: str | None
) -> list[tuple[Section, list[_Entry]]] | None:
    """The sections of the module's import block, if it has one sorted as isort sorts it."""
    block = _import_block(module)
    if not block:
        return None
    groups = _sections(block, own_package)
    if groups is None or not all(_sorted_group(entries) for _, entries in groups):
        return None
    return groups


def own_top_package(filename: str) -> str | None:
    """The top package a migrated file belongs to, as far as its name tells: the first
    directory of a relative path (after ``src/``), or the file's module name."""
    parts = [p for p in filename.replace(os.sep, "/").split("/") if p not in ("", ".")]
    if not parts or os.path.isabs(filename):
        return None
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    first = parts[0].removesuffix(".py")
    return first if first.isidentifier() else None


# -- the block --------------------------------------------------------------------------


def _import_block(module: cst.Module) -> list[_Entry] | None:
    """The module's first run of top-level import statements (after its docstring), or
    None when it holds a statement isort would rewrite by itself (``import a, b``,
    several statements on a line, a blank line among the comment lines above an import) or
    an ``isort:`` directive."""
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    entries: list[_Entry] = []
    for index in range(start, len(body)):
        statement = body[index]
        if not _is_import_line(statement):
            break
        assert isinstance(statement, cst.SimpleStatementLine)
        entry = _entry(index, statement, first=not entries)
        if entry is None or "isort:" in module.code_for_node(statement):
            return None
        entries.append(entry)
    return entries


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _entry(index: int, statement: cst.SimpleStatementLine, first: bool) -> _Entry | None:
    if len(statement.body) != 1:
        return None
    lines = statement.leading_lines
    above = len(lines)
    if not first:
        above = next((i for i, line in enumerate(lines) if line.comment is not None), above)
        if any(line.comment is None for line in lines[above:]):
            return None  # a blank line among the comments: isort would remove it
    node = statement.body[0]
    if isinstance(node, cst.Import):
        if len(node.names) != 1:
            return None
        alias = node.names[0]
        return _Entry(index, statement, False, _name(alias.name), 0, _alias(alias), None, above)
    assert isinstance(node, cst.ImportFrom)
    names = node.names
    if isinstance(names, cst.ImportStar):
        first_name: tuple[str, str | None] = ("*", None)
    elif _names_sorted(names):
        first_name = (_name(names[0].name), _alias(names[0]))
    else:
        return None
    module = _name(node.module) if node.module is not None else ""
    return _Entry(index, statement, True, module, len(node.relative), None, first_name, above)


def _alias(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    assert isinstance(alias.asname.name, cst.Name)
    return alias.asname.name.value


def _sections(
    block: list[_Entry], own_package: str | None
) -> list[tuple[Section, list[_Entry]]] | None:
    """The block's groups (split at blank lines), each with its section; None when the
    groups are not isort's sections in isort's order."""
    groups: list[list[_Entry]] = []
    for entry in block:
        if groups and entry.above > 1:
            return None
        if not groups or entry.above:
            groups.append([])
        elif _comments(entry):
            return None  # isort sets off the comments above an import by a blank line
        groups[-1].append(entry)
    sections: list[tuple[Section, list[_Entry]]] = []
    kinds: list[Section] = []  # each section's own, before a second group becomes first-party
    for entries in groups:
        found = {_section_of(e, own_package) for e in entries}
        if len(found) != 1:
            return None
        (kind,) = found
        if (
            sections
            and _comments(entries[0])
            and kind is kinds[-1]
            and _key(entries[0]) > _key(sections[-1][1][-1])
        ):
            sections[-1][1].extend(entries)  # set off for its comments, in the same section
            continue
        section = kind
        if section is Section.THIRD_PARTY and sections and sections[-1][0] >= section:
            section = Section.FIRST_PARTY  # a second group of non-stdlib modules
        if sections and sections[-1][0] >= section:
            return None
        sections.append((section, entries))
        kinds.append(kind)
    return sections


def _comments(entry: _Entry) -> bool:
    """True if comment lines right above ``entry`` belong to it (not to the whole block)."""
    return len(entry.statement.leading_lines) > entry.above


def _section_of(entry: _Entry, own_package: str | None) -> Section:
    if entry.level:
        return Section.LOCAL
    top = entry.module.split(".")[0]
    if top == "__future__":
        return Section.FUTURE
    if top in sys.stdlib_module_names:
        return Section.STANDARD_LIBRARY
    return Section.FIRST_PARTY if top == own_package else Section.THIRD_PARTY


def _section_of_new(name: str) -> Section:
    top = name.split(".")[0]
    return Section.STANDARD_LIBRARY if top in sys.stdlib_module_names else Section.THIRD_PARTY


# -- order within a section ---------------------------------------------------------------


def _key(entry: _Entry) -> tuple[object, ...]:
    """isort's order within a section: plain imports first, then by module, ignoring case
    (relative imports: farther packages first), then by alias (none first) or, for ``from``
    imports of one module, by their first name (``*`` first)."""
    head = (entry.is_from, -entry.level, entry.module.lower(), entry.module)
    if entry.first is None:
        return (*head, _optional(entry.alias))
    name, alias = entry.first
    return (*head, (name != "*", *_name_key(name), _optional(alias)))


def _optional(name: str | None) -> tuple[bool, str]:
    return (name is not None, name or "")


def _sorted_group(entries: Sequence[_Entry]) -> bool:
    keys = [_key(e) for e in entries]
    return keys == sorted(keys) and len(set(keys)) == len(keys)


def _names_sorted(names: Sequence[cst.ImportAlias]) -> bool:
    """The names of a ``from`` import in isort's order: constants, classes, the rest."""
    if any(alias.asname is not None for alias in names) and len(names) > 1:
        return False  # isort may split these
    keys = [_name_key(_name(alias.name)) for alias in names]
    return keys == sorted(keys)


def _name_key(name: str) -> tuple[int, str, str]:
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name


# -- inserting ----------------------------------------------------------------------------


def _inserted(
    module: cst.Module,
    groups: list[tuple[Section, list[_Entry]]],
    section: Section,
    new: cst.SimpleStatementLine,
    name: str,
) -> cst.Module:
    """``module`` with ``new`` (``import name``) at its place in ``section``."""
    body = list(module.body)
    probe = _Entry(-1, new, False, name)
    for index, (existing, entries) in enumerate(groups):
        if existing is section:
            before = next((e for e in entries if _key(e) > _key(probe)), None)
            if before is None:
                # After the group's last statement: it keeps its place, the new one follows.
                at = entries[-1].index + 1
                body.insert(at, new)
                return module.with_changes(body=body)
            if before is not entries[0]:
                # Inside the section: the statement keeps its lines (a blank line and its
                # comments, if it has any), the new one follows the statement above.
                body.insert(before.index, new)
                return module.with_changes(body=body)
            return _before(module, body, before, new, new_group=False)
        if existing > section:
            return _before(module, body, entries[0], new, new_group=True)
        if index == len(groups) - 1:
            at = entries[-1].index + 1
            body.insert(at, new.with_changes(leading_lines=[cst.EmptyLine()]))
            return module.with_changes(body=body)
    raise AssertionError("an import block has a group")


def _before(
    module: cst.Module,
    body: list[cst.BaseStatement],
    entry: _Entry,
    new: cst.SimpleStatementLine,
    new_group: bool,
) -> cst.Module:
    """``new`` just before ``entry``'s statement, the first of its section: it takes the
    lines above that statement (blank lines, and comments above the whole block, which stay
    above it); the statement keeps its own comments, set off by a blank line, and a new group
    is set off by one too."""
    lines = entry.statement.leading_lines
    own = list(lines[entry.above :])
    kept = [cst.EmptyLine(), *own] if new_group or own else []
    body[entry.index] = entry.statement.with_changes(leading_lines=kept)
    body.insert(entry.index, new.with_changes(leading_lines=lines[: entry.above]))
    return module.with_changes(body=body)


# -- names --------------------------------------------------------------------------------


def _name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    assert isinstance(node, cst.Attribute)
    return f"{_name(node.value)}.{node.attr.value}"


def _dotted(name: str) -> cst.Name | cst.Attribute:
    parts = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
