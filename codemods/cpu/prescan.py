"""A cheap look, with :mod:`ast` and before libcst parses anything, for calls the ``cpu``
codemod might act on. It may say yes too often, never no too often."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import lru_cache
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
    data = source if isinstance(source, bytes) else source.encode("utf-8")
    tree, calls = parsed.parse(data), _calls(data)
    if tree is None or calls is None:
        return True  # let the full parse report it
    called = set().union(*calls.values())
    return bool(called & _wanted(tree, names, loop_defs, called))


@lru_cache(maxsize=2)  # asked by the prefilter, then for the coroutines to slice
def _calls(data: bytes) -> dict[int, frozenset[str]] | None:
    """For each outermost coroutine, by the line of its ``async def``: :func:`_called`."""
    tree = parsed.parse(data)
    if tree is None:
        return None
    return {c.lineno: frozenset(_called(c)) for c in parsed.outermost_coroutines(tree)}


def _wanted(tree: ast.Module, names: Iterable[str], loop_defs: bool, called: set[str]) -> set[str]:
    """The names a candidate call may be made by (last components, and aliases), of those
    ``called`` (the defs that look CPU-bound are judged only when called)."""
    wanted = set(names)
    if loop_defs:
        wanted |= suggestions.suggestible(tree, among=called)
    for node in parsed.statements(tree):
        if isinstance(node, ast.ImportFrom):
            wanted |= {
                alias.asname
                for alias in node.names
                if alias.asname and alias.name.rsplit(".", 1)[-1] in wanted
            }
    return wanted


def _called(coroutine: ast.AsyncFunctionDef) -> set[str]:
    """The last names of the calls in ``coroutine`` (``f`` of ``f()`` and ``x.f()``)."""
    called: set[str] = set()
    for node in parsed.walk(coroutine):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                called.add(func.id)
            elif isinstance(func, ast.Attribute):
                called.add(func.attr)
    return called


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) the codemod may act in;
    None: any of them."""
    if MARKER.search(data.decode("latin-1")):
        return None
    tree, calls = parsed.parse(data), _calls(data)
    if tree is None or calls is None:
        return None
    cpu_bound = CpuBoundNames.parse(options.get("cpu_bound"))
    names = candidate_names(cpu_bound, bool(options.get("offload_compression")))
    wanted = _wanted(tree, names, True, set().union(*calls.values()))
    return frozenset(line for line, called in calls.items() if called & wanted)


#: Bytes one of which a file must contain before anything else is looked at.
TOKENS = (b"for", b"while", b"cpu-bound", b"pbkdf2_hmac", b"scrypt")


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    """False if the ``cpu`` codemod, built with ``options``, surely has nothing to do in
    ``data``: the engine's prefilter for this codemod (no libcst needed)."""
    cpu_bound = CpuBoundNames.parse(options.get("cpu_bound"))
    names = candidate_names(cpu_bound, bool(options.get("offload_compression")))
    tokens = (*TOKENS, *(name.encode() for name in names))
    return any(token in data for token in tokens) and may_call_candidate(data, names)
