"""The order isort (and ruff's I001, with its default settings) gives a module's top-level
import block, and where a new ``import x`` goes in a block sorted that way: the model that
both the libcst import passes (:mod:`codemods.core.sorted_imports`) and the line edits
(:mod:`codemods.core.line_imports`) place new imports by. Each reads the block's statements
into :class:`Entry` records its own way; what is decided on them is here.

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


class Section(enum.IntEnum):
    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL = 4


@dataclass(frozen=True)
class Entry:
    """One statement of the import block."""

    index: int  # in the module's top-level statements
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
    #: How many leading lines (blank or comment) the statement has.
    leading: int = 0


def entry(
    index: int,
    is_from: bool,
    module: str,
    level: int,
    names: Sequence[tuple[str, str | None]],
    leading: Sequence[bool],
    first: bool,
) -> Entry | None:
    """The entry of one import statement: ``import module [as alias]`` (``names`` holds
    that one pair) or ``from module import names`` (``("*", None)`` for a star), whose
    leading lines are comments where ``leading`` is True; None for a statement isort would
    rewrite by itself (``import a, b``, unsorted names, a blank line among the comment
    lines above an import)."""
    above = len(leading)
    if not first:
        above = next((i for i, comment in enumerate(leading) if comment), above)
        if not all(leading[above:]):
            return None  # a blank line among the comments: isort would remove it
    if not is_from:
        if len(names) != 1:
            return None
        name, alias = names[0]
        return Entry(index, False, name, 0, alias, None, above, len(leading))
    if names and names[0][0] == "*":
        first_name: tuple[str, str | None] = ("*", None)
    elif _names_sorted(names):
        first_name = names[0]
    else:
        return None
    return Entry(index, True, module, level, None, first_name, above, len(leading))


def sorted_sections(
    block: list[Entry], own_package: str | None
) -> list[tuple[Section, list[Entry]]] | None:
    """The sections of an import block, if it is sorted as isort sorts it."""
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


# -- sections -----------------------------------------------------------------------------


def _sections(
    block: list[Entry], own_package: str | None
) -> list[tuple[Section, list[Entry]]] | None:
    """The block's groups (split at blank lines), each with its section; None when the
    groups are not isort's sections in isort's order."""
    groups: list[list[Entry]] = []
    for item in block:
        if groups and item.above > 1:
            return None
        if not groups or item.above:
            groups.append([])
        elif _comments(item):
            return None  # isort sets off the comments above an import by a blank line
        groups[-1].append(item)
    sections: list[tuple[Section, list[Entry]]] = []
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


def _comments(item: Entry) -> bool:
    """True if comment lines right above ``item`` belong to it (not to the whole block)."""
    return item.leading > item.above


def _section_of(item: Entry, own_package: str | None) -> Section:
    if item.level:
        return Section.LOCAL
    top = item.module.split(".")[0]
    if top == "__future__":
        return Section.FUTURE
    if top in sys.stdlib_module_names:
        return Section.STANDARD_LIBRARY
    return Section.FIRST_PARTY if top == own_package else Section.THIRD_PARTY


def section_of_new(name: str) -> Section:
    """The section a new ``import name`` goes to."""
    top = name.split(".")[0]
    return Section.STANDARD_LIBRARY if top in sys.stdlib_module_names else Section.THIRD_PARTY


# -- order within a section ---------------------------------------------------------------


def _key(item: Entry) -> tuple[object, ...]:
    """isort's order within a section: plain imports first, then by module, ignoring case
    (relative imports: farther packages first), then by alias (none first) or, for ``from``
    imports of one module, by their first name (``*`` first)."""
    head = (item.is_from, -item.level, item.module.lower(), item.module)
    if item.first is None:
        return (*head, _optional(item.alias))
    name, alias = item.first
    return (*head, (name != "*", *_name_key(name), _optional(alias)))


def _optional(name: str | None) -> tuple[bool, str]:
    return (name is not None, name or "")


def _sorted_group(entries: Sequence[Entry]) -> bool:
    keys = [_key(e) for e in entries]
    return keys == sorted(keys) and len(set(keys)) == len(keys)


def _names_sorted(names: Sequence[tuple[str, str | None]]) -> bool:
    """The names of a ``from`` import in isort's order: constants, classes, the rest."""
    if any(alias is not None for _, alias in names) and len(names) > 1:
        return False  # isort may split these
    keys = [_name_key(name) for name, _ in names]
    return keys == sorted(keys)


def _name_key(name: str) -> tuple[int, str, str]:
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name


# -- where a new import goes ----------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where ``import name`` goes: before the top-level statement at ``index`` (``len`` of
    the statements: after the last), either as it is, before that statement's leading lines
    (``before`` None), or in place of the leading lines of ``before`` (the first statement
    of its section), which it takes: the blank lines above that statement's own comments
    go above the new import, and the statement keeps its comments, set off by a blank line
    when ``new_group`` or when it has any. ``blank_above``: the new import is set off from
    the statement above by one blank line (a new last section)."""

    index: int
    before: Entry | None = None
    new_group: bool = False
    blank_above: bool = False


def placement(groups: list[tuple[Section, list[Entry]]], name: str) -> Placement:
    """Where ``import name`` goes in the sorted block ``groups``."""
    section = section_of_new(name)
    probe = Entry(-1, False, name)
    for number, (existing, entries) in enumerate(groups):
        if existing is section:
            before = next((e for e in entries if _key(e) > _key(probe)), None)
            if before is None:
                # After the group's last statement: it keeps its place, the new one follows.
                return Placement(entries[-1].index + 1)
            if before is not entries[0]:
                # Inside the section: the statement keeps its lines (a blank line and its
                # comments, if it has any), the new one follows the statement above.
                return Placement(before.index)
            return Placement(before.index, before, new_group=False)
        if existing > section:
            return Placement(entries[0].index, entries[0], new_group=True)
        if number == len(groups) - 1:
            return Placement(entries[-1].index + 1, blank_above=True)
    raise AssertionError("an import block has a group")
