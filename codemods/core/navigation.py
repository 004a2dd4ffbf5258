"""Where one node stands relative to another, for planners: through
:class:`~codemods.core.lookups.Lookups` (parents) or the syntax alone."""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.metadata import Assignment

from codemods.core.lookups import Lookups

#: Bodies that do not run where they are written.
NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def encloses(lookups: Lookups, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
    """True if ``inner`` is ``outer`` or lies inside it."""
    current: cst.CSTNode | None = inner
    while current is not None:
        if current is outer:
            return True
        current = lookups.parent_of(current)
    return False


def runs_directly_in(
    lookups: Lookups, node: cst.CSTNode, container: cst.CSTNode, *, awaiting: bool
) -> bool:
    """True if ``node`` lies in ``container`` and runs when it does: no nested ``def``,
    ``class`` or ``lambda`` between them (and, if ``awaiting``, no generator expression,
    where ``await`` would make an async generator)."""
    current: cst.CSTNode | None = node
    while current is not None and current is not container:
        if isinstance(current, NESTED):
            return False
        if awaiting and isinstance(current, cst.GeneratorExp):
            return False
        current = lookups.parent_of(current)
    return current is container


def assignments_of(lookups: Lookups, name: cst.Name) -> list[Assignment]:
    """The assignments of ``name`` (not imports, not builtins) in the scope it stands in."""
    scope = lookups.scope_of(name)
    if scope is None:
        return []
    return [a for a in scope[name.value] if isinstance(a, Assignment)]


def holds_any(node: cst.CSTNode, targets: Collection[cst.CSTNode]) -> bool:
    """True if one of ``targets`` is ``node`` or lies inside it (syntax only)."""
    if node in targets:
        return True
    return any(holds_any(child, targets) for child in node.children)
