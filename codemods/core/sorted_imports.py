"""New ``import x`` statements where isort (and ruff's I001, with its default settings) puts
them, in a module whose top-level import block is already sorted that way.

The model of "sorted" is isort's default profile as ruff applies it: sections in the order
``from __future__``, standard library, third-party, first-party, relative imports, separated
by one blank line; within a section, every ``import x`` before every ``from x import y``,
each kind ordered by module name without regard to case, and the names of a
``from`` import ordered constants first, then classes, then the rest. A module is standard
library when its top-level name is in :data:`sys.stdlib_module_names`; the others are
third-party, except that a second group of them after the third-party one (separated by a
blank line), or a group holding the migrated module's own top package, is first-party (the
tool cannot see the project's layout the way ruff does). A block this model does not
recognise as sorted (comments between imports, ``import a, b``, a missing or extra blank
line) is left to libcst, which adds new imports after the last one.
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
    several statements on a line) or a comment between two imports."""
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    entries: list[_Entry] = []
    for index in range(start, len(body)):
        statement = body[index]
        if not _is_import_line(statement):
            break
        assert isinstance(statement, cst.SimpleStatementLine)
        if entries and any(line.comment is not None for line in statement.leading_lines):
            return None
        entry = _entry(index, statement)
        if entry is None:
            return None
        entries.append(entry)
    return entries


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _entry(index: int, statement: cst.SimpleStatementLine) -> _Entry | None:
    if len(statement.body) != 1 or statement.trailing_whitespace.comment is not None:
        return None
    node = statement.body[0]
    if isinstance(node, cst.Import):
        if len(node.names) != 1:
            return None
        return _Entry(index, statement, False, _name(node.names[0].name))
    assert isinstance(node, cst.ImportFrom)
    if isinstance(node.names, cst.ImportStar) or not _names_sorted(node.names):
        return None
    module = _name(node.module) if node.module is not None else ""
    return _Entry(index, statement, True, module, len(node.relative))


def _sections(
    block: list[_Entry], own_package: str | None
) -> list[tuple[Section, list[_Entry]]] | None:
    """The block's groups (split at blank lines), each with its section; None when the
    groups are not isort's sections in isort's order."""
    groups: list[list[_Entry]] = []
    for entry in block:
        blank = [line for line in entry.statement.leading_lines if line.comment is None]
        if groups and len(blank) > 1:
            return None
        if not groups or blank:
            groups.append([])
        groups[-1].append(entry)
    sections: list[tuple[Section, list[_Entry]]] = []
    for entries in groups:
        kinds = {_section_of(e, own_package) for e in entries}
        if len(kinds) != 1:
            return None
        (section,) = kinds
        if section is Section.THIRD_PARTY and sections and sections[-1][0] >= section:
            section = Section.FIRST_PARTY  # a second group of non-stdlib modules
        if sections and sections[-1][0] >= section:
            return None
        sections.append((section, entries))
    return sections


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


def _key(entry: _Entry) -> tuple[bool, int, str, str]:
    """isort's order within a section: plain imports first, then by module, ignoring case
    (relative imports: farther packages first)."""
    return entry.is_from, -entry.level, entry.module.lower(), entry.module


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
    """``new`` just before ``entry``'s statement: it takes the lines above that statement
    (blank lines, and comments above the whole block, which stay above it); a new group is
    set off by a blank line."""
    kept = [cst.EmptyLine()] if new_group else []
    body[entry.index] = entry.statement.with_changes(leading_lines=kept)
    body.insert(entry.index, new.with_changes(leading_lines=entry.statement.leading_lines))
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
