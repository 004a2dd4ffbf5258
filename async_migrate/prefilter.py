"""Cheap stages that decide whether a file needs libcst at all.

1. bytes: the file must contain ``async def`` and one of a codemod's tokens;
2. ``ast``: some name used inside an ``async def`` must resolve, through the
   module's imports, to one of a codemod's candidate names.

Both stages only ever say "maybe" too often, never "no" wrongly: a name that
cannot be resolved is kept as it is written, every import of a name counts
wherever it is, and the whole ``async def`` (nested code included) is searched.
This module imports neither libcst nor any codemod.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

COROUTINE = re.compile(rb"async[ \t\\\r\n]+def\b")


@dataclass(frozen=True)
class Targets:
    """What one codemod looks for.

    ``tokens``: byte strings, one of which a file must contain.
    ``names``: dotted names as libcst's QualifiedNameProvider spells them
    (``time.sleep``, ``builtins.open``, or a bare ``crunch`` for a module-level
    function); ``*.attr`` matches an attribute ``attr`` on anything, and ``mod.*``
    anything below ``mod`` (``os.*`` matches ``os.remove`` and ``os.path.exists``). Empty means
    "no ast stage": any file passing the byte stage goes to libcst.
    ``markers``: byte strings that, when present, send the file to libcst anyway
    (comments such as ``# async-migrate: cpu-bound``).
    """

    tokens: tuple[bytes, ...] = ()
    names: frozenset[str] = frozenset()
    markers: tuple[bytes, ...] = ()
    #: Like ``names``, but matched anywhere in the file, not only inside coroutines
    #: (``pool = urllib3.PoolManager()`` at module level makes ``pool.request`` blocking).
    anywhere: frozenset[str] = frozenset()

    def bytes_may_match(self, data: bytes) -> bool:
        return not self.tokens or any(token in data for token in self.tokens)


def has_coroutine(data: bytes) -> bool:
    return COROUTINE.search(data) is not None


def needing_libcst(data: bytes, targets: dict[str, Targets]) -> list[str]:
    """The names of the codemods (keys of ``targets``) that may change or report ``data``."""
    if not has_coroutine(data):
        return []
    by_bytes = [name for name, t in targets.items() if t.bytes_may_match(data)]
    if not by_bytes:
        return []
    decided = [n for n in by_bytes if not targets[n].names or _has_marker(targets[n], data)]
    undecided = [n for n in by_bytes if n not in decided]
    if not undecided:
        return decided
    found = _names_used(data)
    if found is None:  # ast cannot parse it: let libcst decide and report
        return by_bytes
    in_coroutines, everywhere = found
    return [
        n
        for n in by_bytes
        if n in decided
        or _matches(targets[n].names, in_coroutines)
        or _matches(targets[n].anywhere, everywhere)
    ]


def _has_marker(targets: Targets, data: bytes) -> bool:
    return any(marker in data for marker in targets.markers)


def _matches(names: frozenset[str], used: set[str]) -> bool:
    if names & used:
        return True
    attributes = {n[2:] for n in names if n.startswith("*.")}
    if attributes and any(u.rpartition(".")[2] in attributes for u in used):
        return True
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    return bool(prefixes) and any(u.startswith(prefixes) for u in used)


def _names_used(data: bytes) -> tuple[set[str], set[str]] | None:
    """Every dotted name a Name or Attribute inside an ``async def`` may refer to, and
    every one anywhere in the module; None if ``ast`` cannot parse ``data``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    imports = _imports(tree)
    in_coroutines: set[str] = set()
    everywhere: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            everywhere.update(_resolve(node, imports))
        elif isinstance(node, ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Name, ast.Attribute)):
                    in_coroutines.update(_resolve(inner, imports))
    return in_coroutines, everywhere


def _imports(tree: ast.AST) -> dict[str, set[str]]:
    """Local name -> the dotted names any import in the file binds it to."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound.setdefault(alias.asname, set()).add(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bound.setdefault(top, set()).add(top)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                local = alias.asname or alias.name
                bound.setdefault(local, set()).add(f"{module}.{alias.name}".lstrip("."))
    return bound


def _resolve(node: ast.AST, imports: dict[str, set[str]]) -> Iterable[str]:
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    suffix = "".join("." + a for a in reversed(attrs))
    if isinstance(node, ast.Name):
        bases = {node.id, "builtins." + node.id} | imports.get(node.id, set())
        return {base + suffix for base in bases}
    return {"?" + suffix} if suffix else set()
