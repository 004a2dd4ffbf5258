"""A cheap look, with :mod:`ast` and before libcst parses anything, for what the
``concurrency`` codemod acts on: a ``for`` loop or a comprehension that awaits, inside a
coroutine. It may say yes too often, never no too often."""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

from codemods.concurrency.helpers import SOURCES
from codemods.core import parsed

_LOOPS = (ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp)
_AWAITS = (ast.Await, ast.AsyncWith, ast.AsyncFor)


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    """False only if no coroutine of ``data`` has a loop or comprehension that awaits."""
    lines = interest(data, options)
    return lines is None or bool(lines)


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) holding a loop or
    comprehension that awaits, and the helpers the codemod added before (it compares
    them with its own); None: any of them."""
    return _interest(data)


@lru_cache(maxsize=2)  # asked by the prefilter, then for the coroutines to slice
def _interest(data: bytes) -> frozenset[int] | None:
    if b"await" not in data and b"async with" not in data:
        return frozenset()
    tree = parsed.parse(data)
    if tree is None:
        return None  # let the full parse report it
    return frozenset(
        coroutine.lineno
        for coroutine in parsed.outermost_coroutines(tree)
        if coroutine.name in SOURCES or _awaits_in_a_loop(coroutine)
    )


def _awaits_in_a_loop(coroutine: ast.AsyncFunctionDef) -> bool:
    """Whether a loop or comprehension in ``coroutine`` holds an await. Only the outermost
    loops are searched: what a loop inside one holds, that one holds too."""
    pending = parsed.children(coroutine)
    while pending:
        node = pending.pop()
        if isinstance(node, _LOOPS):
            if any(isinstance(inner, _AWAITS) for inner in parsed.walk(node) if inner is not node):
                return True
            continue
        pending.extend(parsed.children(node))
    return False
