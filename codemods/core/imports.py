"""Adding and removing imports: libcst's import passes, run only when they can change
something, and the removal of every unused alias of a module."""

from __future__ import annotations

import ast

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import

from codemods.core import parsed
from codemods.core.sorted_imports import is_sorted, own_top_package, with_sorted_import

_PASSES: tuple[type[AddImportsVisitor] | type[RemoveImportsVisitor], ...] = (
    AddImportsVisitor,
    RemoveImportsVisitor,
)


def run_import_passes(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """Add the imports codemods asked for in ``context`` and remove those they made unused.

    libcst's passes run only when they can change something: each costs a pass over the
    whole module (the removal pass with its own scope analysis). New ``import x``
    statements go where isort would put them when the module's imports are sorted as
    isort sorts them (see :mod:`codemods.core.sorted_imports`).
    """
    sortable = _take_sortable(context, tree)
    for transform in _PASSES:
        if _still_wanted(context, transform, tree):
            tree = transform(context).transform_module(tree)
    tree = _remove_alias_leftovers(context, tree)
    return _add_sorted(context, tree, sortable)


def _take_sortable(context: CodemodContext, tree: cst.Module) -> list[str]:
    """The modules of the plain ``import x`` requests in ``context``, taken out of it, when
    the module's import block is sorted as isort sorts it (they are added after the
    removals, where isort would put them); none otherwise."""
    own = own_top_package(context.filename or "")
    if not _still_wanted(context, AddImportsVisitor, tree) or not is_sorted(tree, own):
        return []
    key = AddImportsVisitor.CONTEXT_KEY
    plain = [i for i in context.scratch[key] if _plain(i)]
    context.scratch[key] = [i for i in context.scratch[key] if not _plain(i)]
    return list(dict.fromkeys(i.module_name for i in plain))


def _plain(item: ImportItem) -> bool:
    return item.obj_name is None and item.alias is None and not item.relative


def _add_sorted(context: CodemodContext, tree: cst.Module, modules: list[str]) -> cst.Module:
    """``tree`` with ``import m`` for each of ``modules``, where isort would put it; where
    the import block no longer lets one be placed so, libcst's pass adds it."""
    own = own_top_package(context.filename or "")
    left = []
    for module in modules:
        placed = with_sorted_import(tree, module, own)
        if placed is None:
            left.append(module)
        else:
            tree = placed
    if not left:
        return tree
    fresh = CodemodContext(filename=context.filename)
    for module in left:
        AddImportsVisitor.add_needed_import(fresh, module)
    return AddImportsVisitor(fresh).transform_module(tree)


def _still_wanted(
    context: CodemodContext,
    transform: type[AddImportsVisitor] | type[RemoveImportsVisitor],
    tree: cst.Module,
) -> bool:
    """Drop from ``context`` the requests ``transform`` would not act on; True if any is left."""
    key = transform.CONTEXT_KEY
    scratch = context.scratch
    if not scratch.get(key):
        return False
    tree_ast = parsed.parse(tree.code.encode(tree.encoding, errors="replace"))
    if tree_ast is not None:
        if transform is AddImportsVisitor:
            scratch[key] = [i for i in scratch[key] if not _imported(tree_ast, i)]
        else:
            names = {n.id for n in ast.walk(tree_ast) if isinstance(n, ast.Name)}
            scratch[key] = [r for r in scratch[key] if _bound_name(r) not in names]
    return bool(scratch[key])


def _remove_alias_leftovers(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """libcst's RemoveImportsVisitor keeps one alias per module for ``import m`` forms, so of
    ``import time`` and ``import time as tm`` one stayed behind, unused. Remove the others
    in further passes, one alias per module each."""
    scheduled = context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY, [])
    aliases: dict[str, list[str | None]] = {}
    for module, obj, asname in scheduled:
        if obj is None:
            names = aliases.setdefault(module, [])
            if asname in names:
                names.remove(asname)
            names.append(asname)  # libcst's pass removed the last one scheduled
    leftovers = {module: names[:-1] for module, names in aliases.items() if len(names) > 1}
    while any(leftovers.values()):
        batch = [(m, None, names.pop()) for m, names in leftovers.items() if names]
        fresh = CodemodContext(
            filename=context.filename,
            full_module_name=context.full_module_name,
            full_package_name=context.full_package_name,
        )
        tree = RemoveImportsVisitor(fresh, batch).transform_module(tree)
    return tree


def _imported(tree: ast.Module, item: object) -> bool:
    """True if ``tree``'s top level already has the import ``item`` (an ImportItem) asks
    for, in exactly that form (then libcst's pass would add nothing)."""
    module = getattr(item, "module_name", "")
    obj, alias = getattr(item, "obj_name", None), getattr(item, "alias", None)
    if alias is not None or getattr(item, "relative", 0):
        return False
    for statement in tree.body:
        if obj is None and isinstance(statement, ast.Import):
            if any(a.name == module and a.asname is None for a in statement.names):
                return True
        if obj is not None and isinstance(statement, ast.ImportFrom):
            if statement.level == 0 and statement.module == module:
                if any(a.name == obj and a.asname is None for a in statement.names):
                    return True
    return False


def _bound_name(removal: tuple[str, str | None, str | None]) -> str:
    """The name an import scheduled for removal binds: (module, obj, asname)."""
    module, obj, asname = removal
    if asname:
        return asname
    return obj if obj else module.split(".")[0]


def schedule_removal(context: CodemodContext, node: cst.Import | cst.ImportFrom, name: str) -> None:
    """Schedule the alias of ``node`` that binds ``name`` for removal once unused."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            if alias.evaluated_alias == name or (
                alias.evaluated_alias is None and alias.evaluated_name.split(".")[0] == name
            ):
                RemoveImportsVisitor.remove_unused_import(
                    context, alias.evaluated_name, asname=alias.evaluated_alias
                )
        return
    if isinstance(node.names, cst.ImportStar):
        return
    module = get_absolute_module_from_package_for_import(context.full_package_name, node)
    if module is None:
        return
    for alias in node.names:
        if (alias.evaluated_alias or alias.evaluated_name) == name:
            RemoveImportsVisitor.remove_unused_import(
                context, module, obj=alias.evaluated_name, asname=alias.evaluated_alias
            )
