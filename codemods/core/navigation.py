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


def own_class(lookups: Lookups, receiver: cst.Name) -> cst.ClassDef | None:
    """The class whose method ``receiver`` is the first parameter of (``self``, ``cls``),
    where it is used directly in that method; else None."""
    method = _method_of(lookups, receiver)
    if method is None or any(_static(lookups, d.decorator) for d in method.decorators):
        return None
    block = lookups.parent_of(method)
    owner = lookups.parent_of(block) if block is not None else None
    return owner if isinstance(owner, cst.ClassDef) else None


def instance_of(lookups: Lookups, receiver: cst.Name) -> str | None:
    """The qualified name (in its module) of the class whose instance ``receiver`` is: the
    first parameter of a method of it (not a static or class method), used directly in
    that method; None otherwise, or for a class defined in a function."""
    method = _method_of(lookups, receiver)
    if method is None or any(
        lookups.resolves_to(d.decorator, {"builtins.staticmethod", "builtins.classmethod"})
        for d in method.decorators
    ):
        return None
    names: list[str] = []
    node = lookups.parent_of(method)
    while node is not None and not isinstance(node, cst.Module):
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return None
        if isinstance(node, cst.ClassDef):
            names.append(node.name.value)
        node = lookups.parent_of(node)
    block = lookups.parent_of(method)
    if not isinstance(lookups.parent_of(block) if block is not None else None, cst.ClassDef):
        return None  # a function in a block of the class body (if ...: def m(self))
    return ".".join(reversed(names))


def _method_of(lookups: Lookups, receiver: cst.Name) -> cst.FunctionDef | None:
    """The function whose first parameter ``receiver`` is, if it is used directly there."""
    node = lookups.parent_of(receiver)
    while node is not None and not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        node = lookups.parent_of(node)
    if not isinstance(node, cst.FunctionDef):
        return None
    parameters = node.params.posonly_params or node.params.params
    if not parameters or parameters[0].name.value != receiver.value:
        return None
    return node


def _static(lookups: Lookups, decorator: cst.BaseExpression) -> bool:
    return lookups.resolves_to(decorator, {"builtins.staticmethod"}) is not None
