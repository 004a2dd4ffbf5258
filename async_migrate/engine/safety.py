"""The safety net run before anything is written: outside coroutines, nothing changed.

In the spirit of black's AST equivalence check: the input and the output are parsed
with ``ast``, the bodies of ``async def`` functions (where the rewrites are) and all
import statements (which rewrites add and remove) are masked, as are module-level
helpers a codemod declares it adds; what remains must be identical.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable


class _Mask(ast.NodeTransformer):
    def __init__(self, helpers: frozenset[str], coroutines: frozenset[str] = frozenset()) -> None:
        self.helpers = helpers
        #: Sync functions (module-relative qualified names) to see as coroutines.
        self.coroutines = coroutines
        self._scopes: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self._scopes.append(node.name)
        self.generic_visit(node)
        self._scopes.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        qualname = ".".join([*self._scopes, node.name])
        if qualname in self.coroutines:
            fields = {name: getattr(node, name) for name in node._fields}
            return self.visit_AsyncFunctionDef(ast.AsyncFunctionDef(**fields))
        self._scopes.append(node.name)
        self.generic_visit(node)
        self._scopes.pop()
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self._scopes.append(node.name)
        self.generic_visit(node)  # decorators, defaults and annotations run outside
        self._scopes.pop()
        node.body = [ast.Pass()]
        return node

    def visit_Import(self, node: ast.Import) -> None:
        return None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        return None

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = [s for s in node.body if not _defines_helper(s, self.helpers)]
        self.generic_visit(node)
        return node


def _defines_helper(statement: ast.stmt, helpers: frozenset[str]) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name in helpers
    targets: Iterable[ast.expr] = ()
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return bool(names) and all(n in helpers for n in names)


def _parsed(data: bytes) -> ast.Module:
    """A tree of its own (not ``parsed.parse``'s shared one): :func:`_masked` changes it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(data)


def _masked(
    tree: ast.Module, helpers: frozenset[str], coroutines: frozenset[str] = frozenset()
) -> str:
    """``tree`` (masked in place) dumped."""
    tree = _Mask(helpers, coroutines).visit(tree)
    # Empty blocks left by removed imports would not compile, but they compare fine.
    return ast.dump(tree, include_attributes=False)


def changed_outside_coroutines(
    old: bytes, new: bytes, helpers: Iterable[str], converted: Iterable[str] = ()
) -> bool:
    """True if ``new`` differs from ``old`` anywhere but coroutine bodies, imports and
    module-level definitions the input did not have whose names match one of the
    ``helpers`` patterns (regular expressions, matched whole). ``converted`` names the
    sync functions of ``old`` (module-relative qualified names, ``Store.put``) made
    coroutines on purpose: they are compared as the coroutines they became, so that
    ``def`` turning into ``async def`` and their bodies changing are all they may do."""
    patterns = [re.compile(h) for h in helpers]
    old_tree, new_tree = _parsed(old), _parsed(new)
    added = _top_level_names(new_tree) - _top_level_names(old_tree)  # one the input had stays
    new_helpers = frozenset(n for n in added if any(p.fullmatch(n) for p in patterns))
    return _masked(old_tree, frozenset(), frozenset(converted)) != _masked(new_tree, new_helpers)


def _top_level_names(tree: ast.Module) -> frozenset[str]:
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return frozenset(names)
