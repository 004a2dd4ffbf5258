"""What a module's top level imports, and whether its code uses a name, read from its
``ast`` tree: what the import passes ask before they run, without libcst."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from codemods.core import parsed

#: An import to remove once unused, as libcst's removal pass takes it: (module, the name
#: imported from it or None, the alias or None).
Removal = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Plain:
    """A request for ``import module``, read as libcst's ``ImportItem`` is."""

    module_name: str
    obj_name: str | None = None
    alias: str | None = None
    relative: int = 0


#: What a module imports at its top level without ``as`` or dots: (module, None) for each
#: ``import module``, (module, name) for each ``from module import name``.
AtTop = set[tuple[str, str | None]]


def imported(tree: ast.Module, item: object) -> bool:
    """True if ``tree``'s top level already has the import ``item`` (an ImportItem) asks
    for, in exactly that form (then libcst's pass would add nothing)."""
    found: AtTop = set()
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            found.update((a.name, None) for a in statement.names if a.asname is None)
        elif isinstance(statement, ast.ImportFrom) and statement.level == 0 and statement.module:
            module = statement.module
            found.update((module, a.name) for a in statement.names if a.asname is None)
    return present(found, item)


def present(found: AtTop, item: object) -> bool:
    """Whether the import ``item`` asks for is among ``found``, in exactly that form."""
    if getattr(item, "alias", None) is not None or getattr(item, "relative", 0):
        return False
    return (getattr(item, "module_name", ""), getattr(item, "obj_name", None)) in found


def bound_name(removal: tuple[str, str | None, str | None]) -> str:
    """The name an import scheduled for removal binds: (module, obj, asname)."""
    module, obj, asname = removal
    if asname:
        return asname
    return obj if obj else module.split(".")[0]


def uses(
    tree: ast.Module, names: set[str], either: bool = False, skip: frozenset[int] = frozenset()
) -> tuple[bool, bool]:
    """Whether a name in ``tree`` spells one of ``names``, and whether a string other than
    a docstring spells one as a word (see :func:`_may_use`); with ``either``, the search
    stops at the first of them found. The names whose node ids are in ``skip`` (gone from
    the code being judged) do not count."""
    docstrings = {
        id(statement.value)
        for statement in parsed.statements(tree)
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    }
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
    as_name = as_string = False
    for node in parsed.walk(tree):
        if isinstance(node, ast.Name) and node.id in names and id(node) not in skip:
            as_name = True
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and pattern.search(node.value) is not None
        ):
            as_string = True
        if (as_name and as_string) or (either and (as_name or as_string)):
            break
    return as_name, as_string


def imported_at_top(tree: ast.Module, module: str) -> bool:
    """True if the module's top level already holds ``import <module>``."""
    return imported(tree, Plain(module))


def binds(node: ast.AST, names: set[str]) -> bool:
    """Whether ``node`` is an import that binds one of ``names``."""
    if isinstance(node, ast.Import):
        return any((a.asname or a.name.split(".")[0]) in names for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return any((a.asname or a.name) in names for a in node.names)
    return False


def unused(
    tree: ast.Module, drop: Sequence[Removal], skip: frozenset[int] = frozenset()
) -> list[Removal] | None:
    """The imports of ``drop`` that no name of ``tree`` uses (but those whose node ids are in
    ``skip``); None when a string other than a docstring may still use one that no name
    does (libcst's removal pass would keep it, reading the whole module)."""
    remove: list[Removal] = []
    for removal in drop:
        as_name, as_string = uses(tree, {bound_name(removal)}, skip=skip)
        if as_string and not as_name:
            return None
        if not as_name:
            remove.append(removal)
    return remove


def all_removed(
    requests: Sequence[Removal],
    is_from: bool,
    module: str | None,
    names: Sequence[tuple[str, str | None]],
) -> bool:
    """Whether libcst's removal pass, asked for ``requests``, removes every name of one
    import statement: ``import name [as alias], ...`` (``is_from`` False), or ``from module
    import name [as alias], ...`` (``module`` None for a relative import or a star, which
    it never removes whole)."""
    if not is_from:
        modules = {name: alias for name, obj, alias in requests if obj is None}
        return all(name in modules and modules[name] == alias for name, alias in names)
    if module is None or module == "__future__":
        return False
    objects = {request for request in requests if request[1] is not None}
    return all((module, name, alias) in objects for name, alias in names)
