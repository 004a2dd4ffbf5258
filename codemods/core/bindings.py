"""Names and scopes as the stdlib ``ast`` sees them, shared by the index and the other
``ast`` readers: what a module's imports and definitions bind, and the nodes that run in a
function's own body. Free of libcst."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from codemods.core import parsed


def own_nodes(node: ast.AST, by_class: dict[type, list[Any]] | None = None) -> list[ast.AST]:
    """Every node of a function's body, in source order, not descending into nested
    functions, lambdas or classes (their code runs elsewhere, later, or never); not the
    load, store and delete markers of names (see :func:`parsed.children`). ``by_class``
    gets them grouped by their class too, in the same order."""
    found: list[ast.AST] = []
    stack = list(reversed(getattr(node, "body", [])))
    pop, push, extend = stack.pop, found.append, stack.extend
    fields_of, definitions, node_class = parsed.node_fields_by_class, parsed.DEFINITIONS, ast.AST
    while stack:
        child = pop()
        push(child)
        cls = child.__class__
        if by_class is not None:
            group = by_class.get(cls)
            if group is None:
                by_class[cls] = [child]
            else:
                group.append(child)
        if cls in definitions:
            # Decorators and defaults run here; the body does not.
            extend(child.decorator_list)  # type: ignore[attr-defined]
            if cls is not ast.ClassDef:
                arguments = child.args  # type: ignore[attr-defined]
                extend(d for d in arguments.defaults if d is not None)
                extend(d for d in arguments.kw_defaults if d is not None)
            continue
        if cls is ast.Lambda:
            continue
        # parsed.children(child), inlined: this loop visits every node of every function
        fields = fields_of.get(cls)
        if fields is None:
            fields = parsed.node_fields(cls)
        below: list[ast.AST] = []
        for name in fields:
            value = getattr(child, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, node_class):
                        below.append(item)
            elif isinstance(value, node_class):
                below.append(value)
        below.reverse()
        extend(below)
    return found


def module_bindings(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> qualified name, for the names module-level code binds by imports and
    ``def``/``class`` statements (inside ``if``/``try``/``with`` blocks too, not inside
    functions or classes), in source order: a later binding replaces an earlier one, as
    it does when the module runs."""
    bound: dict[str, str] = {}
    prefix = f"{module}." if module else ""
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(bound_by_import(node, module, is_package))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = prefix + node.name
        elif isinstance(node, ast.stmt):
            stack.extend(
                reversed(
                    [
                        c
                        for c in ast.iter_child_nodes(node)
                        if isinstance(c, (ast.stmt, ast.excepthandler))
                    ]
                )
            )
        elif isinstance(node, ast.excepthandler):
            stack.extend(reversed(node.body))
    return bound


def bound_by_import(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool
) -> Iterable[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".")[0]
                yield top, top
        return
    base = absolute(node, module, is_package)
    if base is None:
        return
    for alias in node.names:
        if alias.name == "*":
            continue
        yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


def absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str | None:
    """The absolute module a ``from`` import names; None if it climbs above the top."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    climb = node.level - 1
    if climb > len(package):
        return None
    base = package[: len(package) - climb]
    if node.module:
        base = [*base, *node.module.split(".")]
    return ".".join(base)


T = TypeVar("T")


def qualified_name(expression: ast.AST, imports: dict[str, str]) -> str | None:
    """The qualified name the dotted name ``expression`` stands for, by the module's
    ``imports`` (local name -> qualified name); a bare name no import binds is a builtin's.
    None for any other expression."""
    dotted = parsed.dotted(expression)
    if dotted is None:
        return None
    root, _, rest = dotted.partition(".")
    qualified = imports.get(root, "builtins." + root if not rest else root)
    return qualified + ("." + rest if rest else "")


def looked_up(expression: ast.AST, imports: dict[str, str], table: Mapping[str, T]) -> T | None:
    """What ``table`` gives the qualified name of ``expression``, or None."""
    qualified = qualified_name(expression, imports)
    return table.get(qualified) if qualified is not None else None
