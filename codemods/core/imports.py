"""Adding and removing imports: libcst's import passes, run only when they can change
something and only on the statements they can change, and the removal of every unused
alias of a module.

libcst's passes walk the whole module (the removal pass with its own scope analysis), which
cost three quarters of a migration that rewrites every coroutine of a module. The adding
pass reads and changes only the module's first statements (a docstring, the import block
and the statement after it): it runs on those. The removal pass removes an import whose
name nothing uses: when no ``ast`` name in the module spells it and no string could export
or annotate it, it runs once over the top-level statements that hold such an import,
without the others.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import lru_cache

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node

from codemods.core import matcher_cache, parsed, visitor_dispatch
from codemods.core.import_names import AtTop, all_removed, binds, bound_name, uses
from codemods.core.import_names import present as _present
from codemods.core.sorted_imports import is_sorted, own_top_package, with_sorted_import

matcher_cache.install()  # libcst's visitors, made per module, search their decorators once
visitor_dispatch.install()  # and call only the methods a class really defines


def run_import_passes(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """Add the imports codemods asked for in ``context`` and remove those they made unused.

    libcst's passes run only when they can change something: each costs a pass over the
    whole module (the removal pass with its own scope analysis). New ``import x``
    statements go where isort would put them when the module's imports are sorted as
    isort sorts them (see :mod:`codemods.core.sorted_imports`).
    """
    sortable = _take_sortable(context, tree)
    if _still_wanted(context, AddImportsVisitor, tree):
        tree = _added(context, tree)
    if _still_wanted(context, RemoveImportsVisitor, tree):
        tree = _removed(context, tree)
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
    return _added(fresh, tree)


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
    if transform is AddImportsVisitor:  # only the top-level imports are read
        present = _top_level_imports(tree)
        scratch[key] = [i for i in scratch[key] if not _present(present, i)]
        return bool(scratch[key])
    tree_ast = _parsed(tree)
    if tree_ast is not None:
        names = {n.id for n in parsed.walk(tree_ast) if isinstance(n, ast.Name)}
        scratch[key] = [r for r in scratch[key] if bound_name(r) not in names]
    return bool(scratch[key])


@lru_cache(maxsize=2)  # the passes ask it of the same tree up to four times
def _code(tree: cst.Module) -> str:
    """``tree``'s code (libcst nodes hash and compare by identity)."""
    return tree.code


def _parsed(tree: cst.Module) -> ast.Module | None:
    return parsed.parse(_code(tree).encode(tree.encoding, errors="replace"))


def _added(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """libcst's adding pass over ``tree``, run on its first statements: a docstring, the
    import lines after it and the statement after those, all it reads and changes. Plain
    ``import x`` requests are placed as the pass places them, without it (see
    :func:`_plain_added`)."""
    requests = context.scratch.get(AddImportsVisitor.CONTEXT_KEY, [])
    if requests and all(_plain(i) for i in requests):
        return _plain_added(tree, [i.module_name for i in requests])
    body = list(tree.body)
    end = 1
    while end < len(body) and _import_line(body[end]):
        end += 1
    if end + 1 >= len(body):
        return AddImportsVisitor(context).transform_module(tree)
    head = AddImportsVisitor(context).transform_module(tree.with_changes(body=body[: end + 1]))
    return tree.with_changes(body=[*head.body, *body[end + 1 :]])


def _plain_added(tree: cst.Module, modules: list[str]) -> cst.Module:
    """``tree`` with ``import m`` for each of ``modules``, as libcst's adding pass makes
    it: those the first run of one-import lines (after a docstring or a ``__strict__``
    flag) does not import as they are, sorted, after that run, the statement after them
    set off by a blank line. The pass's scans and its copy of the module are what its
    time goes to; the placement is this."""
    body = list(tree.body)
    start = 1 if body and _kept_first(body[0]) else 0
    at = start
    present = set()
    while at < len(body) and _import_line(body[at]):
        small = body[at].body[0]  # type: ignore[attr-defined]
        if isinstance(small, cst.Import):
            present |= {a.evaluated_name for a in small.names if a.evaluated_alias is None}
        at += 1
    modules = [m for m in modules if m not in present]
    if not modules:
        return tree
    after = body[at:]
    if after:
        lines = after[0].leading_lines
        if not lines:
            after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(),))
        elif lines[0].comment is not None:
            after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(), *lines))
    config = tree.config_for_parsing
    new = [cst.parse_statement(f"import {m}", config=config) for m in sorted(set(modules))]
    return tree.with_changes(body=[*body[:at], *new, *after])


def _kept_first(statement: cst.BaseStatement) -> bool:
    """A first statement the adding pass never puts an import above: a docstring (one
    plain string) or a ``__strict__`` flag."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == "__strict__"
    )


def _import_line(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


def _removed(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """libcst's removal pass over ``tree`` (for the removals ``context`` asks for), run once
    over the top-level statements that hold an import binding a name to remove, without the
    others; on the whole module when a name may be in use (an ``ast`` name spells it, or a
    string that may export or annotate it) or the module's statements do not line up with
    ``ast``'s."""
    requests = context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY, [])
    names = {bound_name(r) for r in requests}
    code = _code(tree)
    tree_ast = _parsed(tree)
    aligned = _aligned(tree.body, tree_ast.body) if tree_ast is not None else None
    if tree_ast is None or aligned is None or _may_use(tree_ast, names):
        return RemoveImportsVisitor(context).transform_module(tree)
    holding = [
        index
        for index, (_, nodes) in enumerate(aligned)
        if any(binds(node, names) for top in nodes for node in (top, *parsed.statements(top)))
    ]
    if not holding:
        return tree
    dropped = _dropped(requests, [tree.body[index] for index in holding])
    if dropped is not None:
        return tree.with_changes(body=[s for s in tree.body if id(s) not in dropped])
    # One pass over those statements together, each after a marker assignment that tells
    # where what became of it starts (the pass removes a statement whose imports all go).
    mark = unused_mark(SEPARATOR, code)
    parts: list[cst.BaseStatement] = []
    for index in holding:
        parts += [marker(f"{mark}{index}"), tree.body[index]]
    done = RemoveImportsVisitor(context).transform_module(
        tree.with_changes(body=parts, header=(), footer=())
    )
    replaced: dict[int, list[cst.BaseStatement]] = {}
    current: list[cst.BaseStatement] = []
    for statement in done.body:
        index = marked(statement, mark)
        if index is None:
            current.append(statement)
        else:
            current = replaced.setdefault(index, [])
    if sorted(replaced) != holding:
        return RemoveImportsVisitor(context).transform_module(tree)
    body: list[cst.BaseStatement] = []
    for index, statement in enumerate(tree.body):
        body.extend(replaced.get(index, [statement]))
    return tree.with_changes(body=body)


def _dropped(
    requests: Sequence[tuple[str, str | None, str | None]],
    statements: Sequence[cst.BaseStatement],
) -> set[int] | None:
    """The ids of ``statements`` when each is one import line all of whose names the
    removal pass removes (nothing uses them): the pass then removes each statement with the
    lines above it, as dropping it from the module does. None when one is another shape
    (several imports on the line, a name kept, a relative import): the pass runs."""
    ids = set()
    for statement in statements:
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return None
        small = statement.body[0]
        if isinstance(small, cst.Import):
            names = [(a.evaluated_name, a.evaluated_alias) for a in small.names]
            if not all_removed(requests, False, None, names):
                return None
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                return None
            module = None
            if not small.relative and small.module is not None:
                module = get_absolute_module_from_package_for_import(None, small)
            names = [(a.evaluated_name, a.evaluated_alias) for a in small.names]
            if not all_removed(requests, True, module, names):
                return None
        else:
            return None
        ids.add(id(statement))
    return ids


SEPARATOR = "_async_migrate_statement_"


def unused_mark(prefix: str, code: str) -> str:
    """``prefix``, lengthened until ``code`` does not spell it: the start of the names of
    marker statements put between statements of ``code``."""
    mark = prefix
    while mark in code:
        mark += "_"
    return mark


def marker(name: str) -> cst.SimpleStatementLine:
    target = cst.AssignTarget(cst.Name(name))
    return cst.SimpleStatementLine([cst.Assign([target], cst.Integer("0"))])


def marked(statement: cst.BaseStatement, mark: str) -> int | None:
    """The index a marker statement carries; None for any other statement."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
        return None
    target = small.targets[0].target
    if not isinstance(target, cst.Name) or not target.value.startswith(mark):
        return None
    rest = target.value[len(mark) :]
    return int(rest) if rest.isdigit() else None


def _aligned(
    statements: Sequence[cst.BaseStatement], nodes: list[ast.stmt]
) -> list[tuple[cst.BaseStatement, list[ast.stmt]]] | None:
    """Each of libcst's top-level statements with ``ast``'s statements it holds (a line
    ``a; b`` holds two); None if they do not line up."""
    out = []
    at = 0
    for statement in statements:
        simple = isinstance(statement, cst.SimpleStatementLine)
        count = len(statement.body) if simple else 1  # type: ignore[attr-defined]
        group = nodes[at : at + count]
        if len(group) != count or any(
            isinstance(n, parsed.COMPOUND_STATEMENTS) == simple for n in group
        ):
            return None
        out.append((statement, group))
        at += count
    return out if at == len(nodes) else None


def _may_use(tree: ast.Module, names: set[str]) -> bool:
    """Whether ``tree`` may use one of ``names``: a name spells it, or a string other than
    a docstring spells it as a word (libcst's removal pass keeps an import ``__all__`` or a
    string annotation names)."""
    return any(uses(tree, names, either=True))


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
        for removal in batch:
            RemoveImportsVisitor.remove_unused_import(fresh, *removal)
        tree = _removed(fresh, tree)
    return tree


def _top_level_imports(tree: cst.Module) -> AtTop:
    """What :func:`imported` reads of a module, read from its libcst tree (no code
    generated, nothing parsed again)."""
    found: AtTop = set()
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                found.update(
                    (get_full_name_for_node(a.name) or "", None)
                    for a in small.names
                    if a.asname is None
                )
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module:
                module = get_full_name_for_node(small.module) or ""
                if isinstance(small.names, cst.ImportStar):
                    found.add((module, "*"))
                    continue
                found.update(
                    (module, get_full_name_for_node(a.name) or "")
                    for a in small.names
                    if a.asname is None
                )
    return found


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
