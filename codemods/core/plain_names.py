"""Two questions about a module's names answered with ``ast`` from its source, so that a
codemod need not resolve libcst's scope analysis for them when the answer is plain:

- which names the module binds otherwise than by a plain ``import name`` (or ``import
  name.sub``) at its top level: any other name may be written as that module where a
  rewrite needs it (``asyncio.to_thread``), since it is unbound or bound only so;
- which spellings a call of a thread lock's class may have: the classes' own names
  (``threading.Lock()``, ``Lock()``) and the names they are imported under.

Both only ever say "maybe" too often: a name bound in any other way, anywhere, makes the
caller ask the scope analysis as before.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from codemods.core import parsed
from codemods.core.catalogue import LOCK_CLASSES

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
#: What opens a scope of its own: what it binds is not bound at the module's level.
NEW_SCOPES = (*_SCOPES, *_COMPREHENSIONS)


@lru_cache(maxsize=4)
def bound_otherwise(source: bytes) -> frozenset[str] | None:
    """The names ``source`` binds anywhere in another way than by a plain ``import name``
    at module level; None if ``ast`` cannot parse it."""
    tree = parsed.parse(source)
    if tree is None:
        return None
    found: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(tree, True)]  # node, at module level
    while stack:
        node, top = stack.pop()
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None or not top:
                    found.add(alias.asname or alias.name.split(".")[0])
            continue
        found.update(bound_by(node))
        inner = top and not isinstance(node, NEW_SCOPES)
        stack.extend((child, inner) for child in parsed.children(node))
    return frozenset(found)


def bound_by(node: ast.AST) -> list[str]:
    """The names ``node`` itself binds (an import's handled by the caller)."""
    if isinstance(node, ast.Name):
        return [] if isinstance(node.ctx, ast.Load) else [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.ImportFrom):
        return [alias.asname or alias.name for alias in node.names]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    name = getattr(node, "name", None)  # except ... as e, match captures, type parameters
    rest = getattr(node, "rest", None)  # match {..., **rest}
    return [n for n in (name, rest) if isinstance(n, str)]


@lru_cache(maxsize=4)
def lock_spellings(source: bytes) -> frozenset[str] | None:
    """The last names a call of a thread lock's class may be spelled with in ``source``:
    the classes' names and the names ``from ... import`` binds them to; None if ``ast``
    cannot parse it."""
    tree = parsed.parse(source)
    return None if tree is None else lock_spellings_in(tree)


def lock_spellings_in(tree: ast.Module) -> frozenset[str]:
    """:func:`lock_spellings` of a parsed module."""
    spellings = set(LOCK_CLASSES)
    for node in parsed.walk(tree):
        if isinstance(node, ast.ImportFrom):
            spellings.update(
                alias.asname for alias in node.names if alias.asname and alias.name in LOCK_CLASSES
            )
    return frozenset(spellings)
