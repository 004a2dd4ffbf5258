"""The ``files`` codemod's plain calls, read from the ``ast`` tree: when every
file-system call the coroutines make is one the command rewrites by itself (an ``os``,
``os.path``, ``shutil`` or ``glob`` function: ``await aiofiles.os.path.exists(p)``,
``await asyncio.to_thread(shutil.rmtree, p)``; a method that blocks on what its proof
shows a ``pathlib.Path``: ``await asyncio.to_thread(p.exists)``), made directly in its
coroutine, its name bound only by imports at the top of the module, no file object is
opened there and the command's planner has nothing to plan; what the command judges with
libcst's view of the whole module is read here instead: what the callee's name resolves
to, whether an object is a Path (:mod:`codemods.files.path_proof`), that ``asyncio`` and
``aiofiles`` are free. The statements path (:mod:`codemods.files.units`) and the line
path (:mod:`codemods.files.lines`) rewrite what this finds; when it finds that no call is
one the command acts on (methods spelled like a Path's on what is not one), they change
nothing, as the command would.

Anything else makes :func:`plain_calls` say None and the command runs: a file opened
(``open``, ``tempfile``, ``Path.open``), a call that blocks while its result is iterated
(``os.walk``, ``Path.iterdir``), a method that blocks on what may be a Path where the
proof cannot be told on ``ast``, a call in a generator expression, a lambda, a nested
function or under a lock, a name bound otherwise.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from codemods.core import parsed
from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    PATH_LAZY,
    PATH_TO_THREAD,
    TO_THREAD,
)
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.import_names import Removal
from codemods.core.index import position, source_lines
from codemods.core.plain_names import NEW_SCOPES, bound_by, bound_otherwise
from codemods.core.sites import (
    LINE,
    CallSite,
    asyncio_only_imported,
    calls_in_coroutines,
    holding_statements,
    source_text,
)
from codemods.files import facts
from codemods.files.path_proof import NO, YES, PathProof

#: The calls the command rewrites by itself, and those it does not (they open a file,
#: or block while their result is iterated): any of these sends the module to it.
REWRITTEN = AIOFILES_OS | AIOFILES_OS_PATH | TO_THREAD
_OTHERS = facts.OPEN | frozenset(facts.TEMPFILE) | LAZY
#: The last part of every name above: a call spelled so, whose name the step cannot
#: resolve, may still be one.
_LAST_PARTS = frozenset(name.rsplit(".", 1)[1] for name in REWRITTEN | _OTHERS)
#: Methods that block on a ``pathlib.Path`` (the command proves the object one).
_PATH_METHODS = PATH_TO_THREAD | PATH_LAZY | {"open"}


@dataclass
class PlainCalls:
    """The module's file-system calls the command rewrites by itself, as the ``ast`` tree
    shows them, and what the rewriting paths need to place them."""

    tree: ast.Module
    #: The source's lines (:data:`~codemods.core.sites.LINE`).
    lines: list[str]
    #: Each call by its position as libcst counts it, with its qualified name.
    wanted: dict[tuple[int, int], tuple[ast.Call, str]]
    #: The statements (or compound headers) holding them.
    statements: list[ast.stmt]
    names: Names


def plain_calls(data: bytes, options: dict[str, Any]) -> PlainCalls | None:
    """The calls, when every file-system call the coroutines make is a plain one the
    command rewrites by itself, made directly in its coroutine, its name bound only by
    imports at the top of the module; None otherwise (then the command decides)."""
    source = source_text(data) if not options.get(IGNORED_CODES) else None
    if source is None:
        return None
    text, tree = source
    paths_named = b"Path" in data or b"pathlib" in data
    proof = PathProof(tree, data) if paths_named else None
    in_coroutines = [
        (node, coroutine)
        for coroutine in parsed.outermost_coroutines(tree)
        for node in parsed.walk(coroutine)
        if isinstance(node, ast.Call)
    ]
    calls = [call for call, _ in in_coroutines]
    # What no resolution can make plain, first: ``open``, a method that blocks on what
    # may be a Path (one proven a Path is rewritten, unless it opens a file or blocks
    # while iterated).
    found: dict[int, tuple[ast.Call, str]] = {}  # id of the call -> it, and its name
    not_paths: set[int] = set()
    for call, coroutine in in_coroutines:
        func = call.func
        if isinstance(func, ast.Attribute) and proof is not None and func.attr in _PATH_METHODS:
            verdict = proof.of(call, coroutine)
            if verdict is NO:
                not_paths.add(id(call))
            elif verdict is YES and func.attr in PATH_TO_THREAD:
                found[id(call)] = (call, f"Path.{func.attr}")
            else:
                return None
        if isinstance(func, ast.Name) and func.id == "open":
            return None
    aliases = {
        alias.asname
        for statement in parsed.statements(tree)
        if isinstance(statement, (ast.Import, ast.ImportFrom))
        for alias in statement.names
        if alias.asname
    }
    spelled = [
        c
        for c in calls
        if id(c) not in found
        and (_last_name(c.func) in _LAST_PARTS or _first_name(c.func) in aliases)
    ]
    if not spelled and not found:
        return _nothing(tree, text, Names(tree))
    if not asyncio_only_imported(data):
        return None  # the command asks the scope analysis, and may report AM320
    otherwise = bound_otherwise(data)
    if otherwise is None or "aiofiles" in otherwise:
        return None
    resolved = Names(tree)
    for node in spelled:
        name = resolved.of(node.func)
        if name in REWRITTEN:
            found[id(node)] = (node, name)
        elif name is not None:
            if name in _OTHERS:
                return None
        elif _may_be_one(node.func, paths_named and id(node) not in not_paths, resolved):
            return None
    if not found:
        return _nothing(tree, text, resolved)
    counted = source_lines(data)
    every: list[CallSite] = []
    calls_in_coroutines(tree, counted, {c.lineno for c, _ in found.values()}, every)
    by_call = {id(site.call): site for site in every}
    # None: in a generator expression, a nested function, under a lock
    statements = holding_statements(by_call.get(id(node)) for node, _ in found.values())
    if statements is None:
        return None
    wanted = {position(c, counted): (c, name) for c, name in found.values()}
    if len(wanted) != len(found):
        return None  # two calls start together (``f(a)(b)``)
    return PlainCalls(tree, LINE.findall(text), wanted, statements, resolved)


def _nothing(tree: ast.Module, text: str, names: Names) -> PlainCalls:
    """No call of the coroutines is one the command rewrites or reports: every method
    spelled like a Path's is on what its proof shows is not one, every name spelled like
    a file-system function's resolves to another; the command would change nothing."""
    return PlainCalls(tree, LINE.findall(text), {}, [], names)


def call_finding(
    at: tuple[int, int], what: str, silenced: Callable[[str], bool]
) -> tuple[Finding | None, str | None]:
    """The finding of the call of ``what`` at ``at``, and the module its rewrite imports:
    ``asyncio`` for a call handed to a thread, ``aiofiles.os`` for one made by aiofiles;
    (None, None) when a comment silences it, as ``silenced`` tells."""
    if what in TO_THREAD or what.startswith("Path."):
        if silenced("AM306"):
            return None, None
        return Finding(*at, "AM306", f"{what} -> await asyncio.to_thread", True), "asyncio"
    if silenced("AM305"):
        return None, None
    return Finding(*at, "AM305", f"{what} -> await aiofiles.{what}", True), "aiofiles.os"


def _first_name(func: ast.expr) -> str | None:
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _last_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _may_be_one(func: ast.expr, paths_named: bool, resolved: Names) -> bool:
    """Whether a call the step cannot resolve may still be one the command acts on: a
    method that blocks on a Path, in a module that names one; or spelled with the last
    name of one, on a name libcst may give a module's qualified name (unbound, or bound
    at the top of the module: ``os = load()`` makes ``os.remove`` one for it; or bound by
    an import anywhere)."""
    if isinstance(func, ast.Attribute) and paths_named and func.attr in _PATH_METHODS:
        return True
    if _last_name(func) not in _LAST_PARTS:
        return False
    spelled = parsed.dotted(func)
    if spelled is None:
        return False  # ``f().remove()``: no qualified name
    binders = resolved.binders.get(spelled.partition(".")[0], [])
    # An import names what it imports wherever it is (``import shutil`` in the coroutine).
    return not binders or any(
        top or isinstance(node, (ast.Import, ast.ImportFrom)) for node, top in binders
    )


class Names:
    """What a dotted name in a coroutine stands for, when its first name is bound only by
    imports at the top of the module: ``import os`` (or ``import os.path``, the same),
    ``import os.path as osp``, ``from os import path``, ``from os.path import getsize``,
    one such import for a name that is not a plain ``import``."""

    def __init__(self, tree: ast.Module) -> None:
        self.binders: dict[str, list[tuple[ast.AST, bool]]] = {}
        for node, top in _binders(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if isinstance(node, ast.Import) and alias.asname is None:
                        bound = alias.name.split(".")[0]
                    self.binders.setdefault(bound, []).append((node, top))
            else:
                for name in bound_by(node):
                    self.binders.setdefault(name, []).append((node, top))

    def of(self, func: ast.expr) -> str | None:
        """The qualified name ``func`` stands for, if it is a dotted name whose first name
        is bound only so; None otherwise."""
        spelled = parsed.dotted(func)
        if spelled is None:
            return None
        root, _, rest = spelled.partition(".")
        target = self._root(root)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def _root(self, root: str) -> str | None:
        binders = self.binders.get(root)
        if not binders or not all(top for _, top in binders):
            return None
        if all(_plain_import(node, root) for node, _ in binders):
            return root
        if len(binders) != 1:
            return None
        node = binders[0][0]
        if isinstance(node, ast.Import):
            (alias,) = [a for a in node.names if a.asname == root]
            return alias.name
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            (alias,) = [a for a in node.names if (a.asname or a.name) == root]
            return f"{node.module}.{alias.name}" if alias.name != "*" else None
        return None

    def imports_of(self, func: ast.expr) -> list[Removal]:
        """The removal requests the command's ``drop_import_if_unused`` makes for the
        first name of ``func``: every import binding it."""
        spelled = parsed.dotted(func)
        if spelled is None:
            return []
        root = spelled.partition(".")[0]
        requests: list[Removal] = []
        for node, _ in self.binders.get(root, []):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname == root or (
                        alias.asname is None and alias.name.split(".")[0] == root
                    ):
                        requests.append((alias.name, None, alias.asname))
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if (alias.asname or alias.name) == root:
                        requests.append((node.module, alias.name, alias.asname))
        return requests


def _plain_import(node: ast.AST, root: str) -> bool:
    return (
        isinstance(node, ast.Import)
        and all(a.asname is None for a in node.names if a.name.split(".")[0] == root)
        and any(a.asname is None and a.name.split(".")[0] == root for a in node.names)
    )


def _binders(tree: ast.Module) -> Iterator[tuple[ast.AST, bool]]:
    """Every node that binds a name, and whether it does so at the module's top level."""
    stack: list[tuple[ast.AST, bool]] = [(tree, True)]
    while stack:
        node, top = stack.pop()
        yield node, top
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue  # its aliases name what it binds
        inner = top and not isinstance(node, NEW_SCOPES)
        stack.extend((child, inner) for child in parsed.children(node))
