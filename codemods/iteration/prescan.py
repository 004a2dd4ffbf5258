"""A cheap look, with :mod:`ast` and before libcst parses anything, for what the
``iteration`` codemod acts on: in a coroutine, a ``for`` loop, a comprehension or a call
of a consumer (``sorted``, ``sum``, ``"".join``, ...) whose iteration calls a function
that reads the file system while it is iterated (``walk``, ``iterdir``, ``scandir``,
...), or that holds a generator expression calling a function or method the catalogue
knows to block, by its last name.

It goes by spelling only, so it may say yes too often; the codemod's targets narrow it
down (a coroutine must also use a name the catalogue knows to block, see its spec). It
says no to a generator expression whose only blocking call is a method whose name no table
lists (any method of a file or a socket blocks); the offload fallback then reports that
call (AM604).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

from codemods.core import parsed
from codemods.core.catalogue import (
    BLOCKING_METHODS,
    CONSTRUCTORS,
    FUNCTIONS,
    HTTP_METHODS,
    ObjectKind,
)
from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    PATH_LAZY,
    PATH_TO_THREAD,
    TO_THREAD,
)

#: The last names of the calls iterated lazily, a file ``open`` makes among them.
_LAZY = frozenset(
    {name.rsplit(".", 1)[-1] for name in LAZY}
    | PATH_LAZY
    | {"scandir"}
    | {name.rsplit(".", 1)[-1] for name, kind in CONSTRUCTORS.items() if kind == ObjectKind.FILE}
)
_CONSUMERS = frozenset(
    {"sorted", "list", "tuple", "set", "frozenset", "dict", "sum", "any", "all", "min", "max"}
)
#: Methods of files and sockets, whose every method blocks.
_STREAM_METHODS = frozenset(
    {
        "read",
        "readline",
        "readlines",
        "write",
        "writelines",
        "flush",
        "recv",
        "recv_into",
        "send",
        "sendall",
        "accept",
        "connect",
    }
)


@lru_cache(maxsize=1)
def _blocking() -> frozenset[str]:
    """The last names of the blocking calls the catalogue knows."""
    names = {
        name.rsplit(".", 1)[-1]
        for name in (*FUNCTIONS, *AIOFILES_OS, *AIOFILES_OS_PATH, *TO_THREAD)
    }
    names |= PATH_TO_THREAD | _LAZY | _STREAM_METHODS | set(HTTP_METHODS)
    for methods in BLOCKING_METHODS.values():
        names |= methods
    return frozenset(names)


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    """False only if no coroutine of ``data`` holds an iteration that may block."""
    lines = interest(data, options)
    return lines is None or bool(lines)


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) holding an iteration
    that may block; None: any of them."""
    if options.get("offload") is False:
        return frozenset()
    return _interest(data)


@lru_cache(maxsize=2)  # asked by the prefilter, then for the coroutines to slice
def _interest(data: bytes) -> frozenset[int] | None:
    tree = parsed.parse(data)
    if tree is None:
        return None  # let the full parse report it
    return frozenset(
        coroutine.lineno
        for coroutine in parsed.outermost_coroutines(tree)
        if _holds_blocking_iteration(coroutine)
    )


def _holds_blocking_iteration(coroutine: ast.AsyncFunctionDef) -> bool:
    for node in parsed.walk(coroutine):
        if isinstance(node, ast.For) and _blocks(node.iter):
            return True
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp)) and _blocks(node):
            return True
        if isinstance(node, ast.Call) and _last_name(node.func) in _CONSUMERS | {"join"}:
            if _blocks(node):
                return True
    return False


def _blocks(region: ast.AST) -> bool:
    """Whether ``region`` calls a lazy iterator, or holds a generator expression that
    calls something that may block."""
    for node in parsed.walk(region):
        if (
            isinstance(node, ast.Call)
            and _last_name(node.func) in _LAZY
            and not _of_no_path(node.func)
        ):
            return True
        if isinstance(node, ast.Call) and _maps_blocking(node):
            return True
        if isinstance(node, ast.GeneratorExp) and _calls_blocking(node):
            return True
    return False


def _calls_blocking(generator: ast.GeneratorExp) -> bool:
    """Whether ``generator`` calls a function or method whose last name is one the
    catalogue knows to block, other than a method of a literal (``", ".join``) or of a
    comprehension's own variable (``d.get(k) for d in rows``): neither is an object the
    codemods know the kind of (unless an ``isinstance`` test proves the variable a Path:
    then its variables count)."""
    blocking = _blocking()
    nodes = list(parsed.walk(generator))
    calls = [
        node for node in nodes if isinstance(node, ast.Call) and _last_name(node.func) in blocking
    ]
    if not calls:
        return False
    narrowing = any(isinstance(n, ast.Call) and _last_name(n.func) == "isinstance" for n in nodes)
    own = (
        set()
        if narrowing
        else {
            name
            for node in nodes
            if isinstance(node, parsed.COMPREHENSIONS)
            for name in parsed.comprehension_own(node)
        }
    )
    return any(not _of_nothing_known(call.func, own) for call in calls)


def _maps_blocking(call: ast.Call) -> bool:
    """``map(f, ...)`` or ``filter(f, ...)`` with ``f`` named as a blocking function."""
    if not (isinstance(call.func, ast.Name) and call.func.id in ("map", "filter")):
        return False
    return bool(call.args) and _last_name(call.args[0]) in _blocking()


def _of_nothing_known(func: ast.expr, own: set[int]) -> bool:
    """Whether ``func`` is a method of something whose kind no codemod can know: a name in
    ``own`` (by id), a member of one, or anything but a name, a call or a ``/`` (a
    literal, ``(a or b)``, ...)."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    while isinstance(receiver, (ast.Attribute, ast.Subscript)):
        receiver = receiver.value
    if isinstance(receiver, ast.Name):
        return id(receiver) in own
    return not isinstance(receiver, (ast.Call, ast.BinOp))


def _of_no_path(func: ast.expr) -> bool:
    """Whether ``func`` is a method of an attribute other than ``parent`` (``self.root``):
    the codemods prove no such attribute a ``pathlib.Path``, and the lazy functions of
    modules (``os.walk``) are attributes of a name."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    while isinstance(receiver, ast.Attribute) and receiver.attr == "parent":
        receiver = receiver.value
    return isinstance(receiver, ast.Attribute)


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""
