"""New ``import x`` statements where isort (and ruff's I001, with its default settings) puts
them, in a module whose top-level import block is already sorted that way, on libcst's
tree: the block read into :mod:`codemods.core.import_order`'s records, and the new
statement put where that model places it.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.import_order import (
    Entry,
    Placement,
    entry,
    own_top_package,
    placement,
    sorted_sections,
)

__all__ = ["is_sorted", "own_top_package", "with_sorted_import"]


def is_sorted(module: cst.Module, own_package: str | None = None) -> bool:
    """True if the module has a top-level import block, sorted as isort sorts it."""
    block = _import_block(module)
    return block is not None and sorted_sections(block, own_package) is not None


def with_sorted_import(
    module: cst.Module, name: str, own_package: str | None = None
) -> cst.Module | None:
    """``module`` with ``import name`` added where isort would put it, or None when the
    module's import block is empty or not sorted as isort sorts it (then the caller adds
    the import its own way). ``own_package`` is the migrated module's top package."""
    block = _import_block(module)
    groups = None if block is None else sorted_sections(block, own_package)
    if groups is None:
        return None
    new = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(_dotted(name))])])
    return _inserted(module, placement(groups, name), new)


def _import_block(module: cst.Module) -> list[Entry] | None:
    """The module's first run of top-level import statements (after its docstring), or
    None when it holds a statement isort would rewrite by itself (``import a, b``,
    several statements on a line, a blank line among the comment lines above an import) or
    an ``isort:`` directive."""
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    entries: list[Entry] = []
    for index in range(start, len(body)):
        statement = body[index]
        if not _is_import_line(statement):
            break
        assert isinstance(statement, cst.SimpleStatementLine)
        found = _entry(index, statement, first=not entries)
        if found is None or "isort:" in module.code_for_node(statement):
            return None
        entries.append(found)
    return entries


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _entry(index: int, statement: cst.SimpleStatementLine, first: bool) -> Entry | None:
    if len(statement.body) != 1:
        return None
    leading = [line.comment is not None for line in statement.leading_lines]
    node = statement.body[0]
    if isinstance(node, cst.Import):
        names = [(_name(a.name), _alias(a)) for a in node.names]
        return entry(index, False, names[0][0], 0, names, leading, first)
    assert isinstance(node, cst.ImportFrom)
    if isinstance(node.names, cst.ImportStar):
        names = [("*", None)]
    else:
        names = [(_name(a.name), _alias(a)) for a in node.names]
    module = _name(node.module) if node.module is not None else ""
    return entry(index, True, module, len(node.relative), names, leading, first)


def _alias(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    assert isinstance(alias.asname.name, cst.Name)
    return alias.asname.name.value


def _inserted(module: cst.Module, where: Placement, new: cst.SimpleStatementLine) -> cst.Module:
    """``module`` with ``new`` put where ``where`` says."""
    body = list(module.body)
    if where.blank_above:
        new = new.with_changes(leading_lines=[cst.EmptyLine()])
    before = where.before
    if before is not None:
        statement = body[before.index]
        lines = statement.leading_lines
        own = list(lines[before.above :])
        kept = [cst.EmptyLine(), *own] if where.new_group or own else []
        body[before.index] = statement.with_changes(leading_lines=kept)
        new = new.with_changes(leading_lines=lines[: before.above])
    body.insert(where.index, new)
    return module.with_changes(body=body)


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
