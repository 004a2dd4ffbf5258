"""One ``ast`` parse per source for every cheap stage that needs one.

The engine's prefilter and the ``cpu`` codemod's prescan both look at the same module
with :mod:`ast`; parsing it once for both halves that stage's cost. Free of libcst.
"""

from __future__ import annotations

import ast
import warnings
from functools import lru_cache


@lru_cache(maxsize=2)
def parse(source: bytes) -> ast.Module | None:
    """The module ``source`` parses to, or None if ``ast`` cannot parse it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def outermost_coroutines(tree: ast.AST) -> list[ast.AsyncFunctionDef]:
    """Every ``async def`` that is not inside another one, in source order."""
    found: list[ast.AsyncFunctionDef] = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.AsyncFunctionDef):
            found.append(child)
        else:
            found.extend(outermost_coroutines(child))
    return found


def coroutines_holding(tree: ast.AST, lines: set[int]) -> frozenset[int]:
    """The outermost coroutines (by the line of their ``async def``) that span one of
    ``lines``."""
    return frozenset(
        node.lineno
        for node in outermost_coroutines(tree)
        if any(node.lineno <= line <= (node.end_lineno or node.lineno) for line in lines)
    )


def parameter_names(arguments: ast.arguments) -> set[str]:
    """The names a function's or a lambda's parameters bind."""
    return {
        a.arg
        for a in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            arguments.vararg,
            arguments.kwarg,
        )
        if a is not None
    }


def coroutines_named(tree: ast.AST, names: set[str]) -> frozenset[int]:
    """The outermost coroutines (by the line of their ``async def``) whose qualified name
    (the names of the classes and functions around it and its own, joined by dots) is one
    of ``names`` or holds one (a coroutine defined in it). Names, unlike lines, stay true
    while earlier codemods add and remove lines."""
    found: set[int] = set()

    def visit(node: ast.AST, scopes: tuple[str, ...], inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, scopes, inside)
                continue
            qualified = (*scopes, child.name)
            outermost = isinstance(child, ast.AsyncFunctionDef) and not inside
            if outermost:
                prefix = ".".join(qualified)
                if any(n == prefix or n.startswith(prefix + ".") for n in names):
                    found.add(child.lineno)
            visit(child, qualified, inside or outermost)

    visit(tree, (), False)
    return frozenset(found)
