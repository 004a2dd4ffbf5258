"""Names in a libcst tree: dotted names, the identifiers a module spells, and what an
``import`` statement binds."""

from __future__ import annotations

import libcst as cst

from codemods.core.parents import descendants


def identifiers(node: cst.CSTNode) -> set[str]:
    """Every identifier spelled in ``node``: names, attributes, parameters, keywords."""
    return {n.value for n in descendants(node) if isinstance(n, cst.Name)}


def is_dotted_name(node: cst.CSTNode) -> bool:
    """True for ``name`` and ``a.b.c``: names and attributes of names only."""
    return isinstance(node, cst.BaseExpression) and dotted_name(node) is not None


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of plain names and attributes, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def is_plain_module_import(node: cst.CSTNode | object, module: str) -> bool:
    if not isinstance(node, cst.Import):
        return False
    for alias in node.names:
        if alias.asname is not None:
            continue
        dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
        if dotted == module or dotted.startswith(module + "."):
            return True
    return False
