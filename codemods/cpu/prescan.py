"""A cheap look, with :mod:`ast` and before libcst parses anything, for calls the ``cpu``
codemod might act on. It may say yes too often, never no too often."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from codemods.core import parsed
from codemods.cpu import suggestions
from codemods.cpu.names import COMPRESSION, GIL_RELEASING, MARKER, CpuBoundNames


def candidate_names(cpu_bound: CpuBoundNames, offload_compression: bool) -> set[str]:
    """Last name components of every call the options make interesting."""
    names = cpu_bound.last_components() | {q.rsplit(".", 1)[-1] for q in GIL_RELEASING}
    if offload_compression or COMPRESSION & cpu_bound.dotted:
        names |= {"compress", "decompress"}
    return names


def may_call_candidate(source: bytes | str, names: Iterable[str], loop_defs: bool = True) -> bool:
    """False only if no call in a coroutine of ``source`` can be a candidate: one of
    ``names``, a function marked ``# async-migrate: cpu-bound``, or a module-level sync def
    with a loop (which may be suggested; only with ``loop_defs``)."""
    text = source if isinstance(source, str) else source.decode("latin-1")
    if MARKER.search(text):
        return True
    tree = parsed.parse(source if isinstance(source, bytes) else source.encode("utf-8"))
    if tree is None:
        return True  # let the full parse report it
    wanted = _wanted(tree, names, loop_defs)
    return any(_calls(coroutine, wanted) for coroutine in parsed.outermost_coroutines(tree))


def _wanted(tree: ast.Module, names: Iterable[str], loop_defs: bool) -> set[str]:
    """The names a candidate call may be made by (last components, and aliases)."""
    wanted = set(names)
    if loop_defs:
        wanted |= suggestions.suggestible(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            wanted |= {
                alias.asname
                for alias in node.names
                if alias.asname and alias.name.rsplit(".", 1)[-1] in wanted
            }
    return wanted


def _calls(coroutine: ast.AsyncFunctionDef, wanted: set[str]) -> bool:
    for node in ast.walk(coroutine):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in wanted:
                return True
            if isinstance(func, ast.Attribute) and func.attr in wanted:
                return True
    return False


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) the codemod may act in;
    None: any of them."""
    if MARKER.search(data.decode("latin-1")):
        return None
    tree = parsed.parse(data)
    if tree is None:
        return None
    cpu_bound = CpuBoundNames.parse(options.get("cpu_bound"))
    names = candidate_names(cpu_bound, bool(options.get("offload_compression")))
    wanted = _wanted(tree, names, loop_defs=True)
    return frozenset(c.lineno for c in parsed.outermost_coroutines(tree) if _calls(c, wanted))


#: Bytes one of which a file must contain before anything else is looked at.
TOKENS = (b"for", b"while", b"cpu-bound", b"pbkdf2_hmac", b"scrypt")


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    """False if the ``cpu`` codemod, built with ``options``, surely has nothing to do in
    ``data``: the engine's prefilter for this codemod (no libcst needed)."""
    cpu_bound = CpuBoundNames.parse(options.get("cpu_bound"))
    names = candidate_names(cpu_bound, bool(options.get("offload_compression")))
    tokens = (*TOKENS, *(name.encode() for name in names))
    return any(token in data for token in tokens) and may_call_candidate(data, names)
