"""A cheap look, with :mod:`ast` and before libcst parses anything, for what the
``concurrency`` codemod acts on: a ``for`` loop or a comprehension that awaits, inside a
coroutine. It may say yes too often, never no too often."""

from __future__ import annotations

import ast
from typing import Any

from codemods.core import parsed

_LOOPS = (ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp)
_AWAITS = (ast.Await, ast.AsyncWith, ast.AsyncFor)


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    """False only if no coroutine of ``data`` has a loop or comprehension that awaits."""
    if b"await" not in data and b"async with" not in data:
        return False
    tree = parsed.parse(data)
    if tree is None:
        return True  # let the full parse report it
    for coroutine in ast.walk(tree):
        if not isinstance(coroutine, ast.AsyncFunctionDef):
            continue
        for loop in ast.walk(coroutine):
            if isinstance(loop, _LOOPS) and any(
                isinstance(node, _AWAITS) for node in ast.walk(loop) if node is not loop
            ):
                return True
    return False
