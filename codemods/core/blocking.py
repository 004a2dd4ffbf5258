"""What blocks the event loop: the calls ruff's and flake8-async's blocking-call rules
(ASYNC210-251) flag, and the methods that block on objects of a known kind (a file, an
httpx client, a sqlite3 connection, ...). :func:`classify` is a planner: it looks at one
call through :class:`~codemods.core.lookups.Lookups` and says what it found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from codemods.core.build import code_of
from codemods.core.catalogue import (
    ASYNC_INSTEAD,
    ASYNC_INSTEAD_FUNCTIONS,
    ASYNC_INSTEAD_KINDS,
    FUNCTIONS,
    KIND_FAMILY,
    NO_WAIT,
    THREAD_BOUND,
    Family,
    ObjectKind,
    call_may_block,
)
from codemods.core.kinds import kind_of
from codemods.core.lookups import Lookups

# (kind, method) pairs that offloading would not make non-blocking.
_NOT_OFFLOADABLE = {
    (ObjectKind.HTTPX_CLIENT, "stream"): "the response is read in the with block that follows",
}
# Functions that offloading would not make non-blocking.
_FUNCTIONS_NOT_OFFLOADABLE = {
    "httpx.stream": "the response is read in the with block that follows",
    "httpx2.stream": "the response is read in the with block that follows",
}


@dataclass(frozen=True)
class Blocking:
    """One recognised blocking call."""

    family: Family
    name: str  # what users see: "subprocess.run", "f.read"
    kind: ObjectKind | None = None  # the receiver's kind, for a method call
    thread_bound: bool = False
    not_offloadable: str = ""  # why offloading would not help, or ""
    #: why the object cannot go to a worker thread, and what to use (thread-bound calls)
    thread_reason: str = ""
    #: why offloading would not be faithful or would not help, and the async API instead
    async_instead: str = ""


def classify(lookups: Lookups, call: cst.Call) -> Blocking | None:
    """The blocking call ``call`` (a node of the original tree) is, or None."""
    for name in sorted(lookups.call_names(call.func)):
        if name not in FUNCTIONS:
            continue
        if _does_not_wait(name, call):
            return None
        return function_blocking(name)
    keyed = _blocking_key(lookups, call)
    if keyed is not None:
        return keyed
    if _reads_cursor_whole(lookups, call):
        return Blocking(Family.NETWORK, "list", kind=ObjectKind.MONGO_COLLECTION)
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    kind = kind_of(lookups, func.value)
    if kind is None:
        return None
    method = func.attr.value
    if not call_may_block(kind, method):
        return None
    if (kind, method) in NO_WAIT and _without_waiting(call, *NO_WAIT[kind, method]):
        return None
    if (kind, method) in _CURSORS and _read_whole(lookups, call):
        return None  # offloaded with the list() around it
    receiver = _display(func.value)
    return Blocking(
        KIND_FAMILY[kind],
        f"{receiver}.{method}",
        kind=kind,
        thread_bound=kind == ObjectKind.SQLITE or kind in THREAD_BOUND,
        not_offloadable=_NOT_OFFLOADABLE.get((kind, method), ""),
        thread_reason=THREAD_BOUND.get(kind, ""),
        async_instead=ASYNC_INSTEAD.get((kind, method), ASYNC_INSTEAD_KINDS.get(kind, "")),
    )


def function_blocking(name: str) -> Blocking:
    """What a call of the catalogue's blocking function ``name`` is (its options aside:
    ``os.waitpid(pid, os.WNOHANG)`` returns at once)."""
    family = FUNCTIONS[name]
    return Blocking(
        family,
        name.removeprefix("builtins."),
        thread_bound=family == Family.DATABASE,
        not_offloadable=_FUNCTIONS_NOT_OFFLOADABLE.get(name, ""),
        async_instead=ASYNC_INSTEAD_FUNCTIONS.get(name, ""),
    )


#: The blocking functions whose options may make a call return at once: the position of
#: their options argument.
_OPTIONS_POSITION = {"os.waitpid": 1, "os.wait3": 0, "os.wait4": 1, "os.waitid": 2}
WAITS_BY_OPTION = frozenset(_OPTIONS_POSITION)

#: The builtins that call their ``key`` on the items before they return (and so does a
#: list's ``sort``).
_KEYED = frozenset({"builtins.sorted", "builtins.min", "builtins.max"})


def _blocking_key(lookups: Lookups, call: cst.Call) -> Blocking | None:
    """``sorted(paths, key=os.path.getmtime)``, ``paths.sort(key=os.path.getmtime)``,
    ``min(paths, key=lambda p: os.path.getsize(p))``: the call runs the blocking function
    it is given as ``key`` (or that its ``key`` calls) on each item."""
    key = next((a.value for a in call.args if a.keyword and a.keyword.value == "key"), None)
    if key is None:
        return None
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "sort") and (
        lookups.resolves_to(func, _KEYED) is None
    ):
        return None
    if isinstance(key, cst.Lambda):  # ``key=lambda p: os.path.getmtime(p)``
        return next(
            (
                function_blocking(name)
                for node in _calls_in(key.body)
                if (name := lookups.resolves_to(node.func, _KEY_FUNCTIONS)) is not None
            ),
            None,
        )
    name = lookups.resolves_to(key, _KEY_FUNCTIONS)
    return function_blocking(name) if name is not None else None


def _calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    """The calls in ``node`` that run when it is evaluated (not those of a lambda in it)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Lambda):
            continue
        if isinstance(current, cst.Call):
            yield current
        stack.extend(reversed(current.children))


# ``list(coll.find(...))``: find() does no I/O until iterated, so offloading the list()
# call moves all of the cursor's I/O to the thread.
_CURSORS = frozenset(
    {(ObjectKind.MONGO_COLLECTION, "find"), (ObjectKind.MONGO_COLLECTION, "find_raw_batches")}
)


def _reads_cursor_whole(lookups: Lookups, call: cst.Call) -> bool:
    """``list(<collection>.find(...))``."""
    if "builtins.list" not in lookups.qualified_names(call.func):
        return False
    if len(call.args) != 1 or call.args[0].star or call.args[0].keyword is not None:
        return False
    inner = call.args[0].value
    if not isinstance(inner, cst.Call) or not isinstance(inner.func, cst.Attribute):
        return False
    kind = kind_of(lookups, inner.func.value)
    return (kind, inner.func.attr.value) in _CURSORS


def _read_whole(lookups: Lookups, call: cst.Call) -> bool:
    parent = lookups.parent_of(call)
    if not isinstance(parent, cst.Arg):
        return False
    outer = lookups.parent_of(parent)
    return isinstance(outer, cst.Call) and _reads_cursor_whole(lookups, outer)


def _display(node: cst.BaseExpression) -> str:
    text = code_of(node)
    return text if len(text) <= 30 else "<object>"


def _does_not_wait(name: str, call: cst.Call) -> bool:
    """``os.waitpid(pid, os.WNOHANG)`` and the like return at once."""
    if name not in _OPTIONS_POSITION:
        return False
    for index, arg in enumerate(call.args):
        if arg.keyword is None and arg.star == "" and index == _OPTIONS_POSITION[name]:
            return _mentions_wnohang(arg.value)
        if arg.keyword is not None and arg.keyword.value == "options":
            return _mentions_wnohang(arg.value)
    return False


def _without_waiting(call: cst.Call, keyword: str, position: int) -> bool:
    """Whether ``call`` passes ``False`` as the argument named ``keyword`` (or at
    ``position``) that tells it not to wait (see ``NO_WAIT``)."""
    for index, arg in enumerate(call.args):
        if arg.star:
            return False
        if (arg.keyword is None and index == position) or (
            arg.keyword and arg.keyword.value == keyword
        ):
            return isinstance(arg.value, cst.Name) and arg.value.value == "False"
    return False


def _mentions_wnohang(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _mentions_wnohang(node.left) or _mentions_wnohang(node.right)
    if isinstance(node, cst.Attribute):
        return node.attr.value == "WNOHANG"
    return isinstance(node, cst.Name) and node.value == "WNOHANG"


#: The catalogue's functions that block whatever they are given.
_KEY_FUNCTIONS = frozenset(FUNCTIONS) - WAITS_BY_OPTION
