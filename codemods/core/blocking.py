"""What blocks the event loop: the calls ruff's and flake8-async's blocking-call rules
(ASYNC210-251) flag, and the methods that block on objects of a known kind (a file, an
httpx client, a sqlite3 connection, ...). :func:`classify` is a planner: it looks at one
call through :class:`~codemods.core.lookups.Lookups` and says what it found.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.core.build import code_of
from codemods.core.catalogue import FUNCTIONS, HTTP_METHODS, Family, ObjectKind
from codemods.core.kinds import kind_of
from codemods.core.lookups import Lookups

_KIND_FAMILY = {
    ObjectKind.FILE: Family.FILES,
    ObjectKind.HTTPX_CLIENT: Family.HTTP,
    ObjectKind.URLLIB3_POOL: Family.HTTP,
    ObjectKind.URL_RESPONSE: Family.HTTP,
    ObjectKind.SQLITE: Family.DATABASE,
    ObjectKind.POPEN: Family.SUBPROCESS,
}
# Methods that do not block, per kind; every other method call on such an object is
# treated as blocking (as flake8-async does for files and urllib3 pools).
_CHEAP_METHODS = {
    ObjectKind.FILE: frozenset({"fileno", "detach"}),
    ObjectKind.URLLIB3_POOL: frozenset(
        {
            "connection_from_host",
            "connection_from_url",
            "connection_from_context",
            "connection_from_pool_key",
        }
    ),
}
# For the other kinds, only these methods block.
_BLOCKING_METHODS = {
    ObjectKind.HTTPX_CLIENT: frozenset({*HTTP_METHODS, "send", "close", "stream"}),
    ObjectKind.SQLITE: frozenset(
        {
            "execute",
            "executemany",
            "executescript",
            "commit",
            "rollback",
            "close",
            "backup",
            "fetchone",
            "fetchmany",
            "fetchall",
            "iterdump",
        }
    ),
    ObjectKind.POPEN: frozenset({"wait", "communicate"}),
    ObjectKind.URL_RESPONSE: frozenset(
        {"read", "read1", "readline", "readlines", "readinto", "peek"}
    ),
}
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


def classify(lookups: Lookups, call: cst.Call) -> Blocking | None:
    """The blocking call ``call`` (a node of the original tree) is, or None."""
    for name in sorted(lookups.call_names(call.func)):
        family = FUNCTIONS.get(name)
        if family is None:
            continue
        if _does_not_wait(name, call):
            return None
        return Blocking(
            family,
            name.removeprefix("builtins."),
            thread_bound=family == Family.DATABASE,
            not_offloadable=_FUNCTIONS_NOT_OFFLOADABLE.get(name, ""),
        )
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    kind = kind_of(lookups, func.value)
    if kind is None:
        return None
    method = func.attr.value
    if kind in _CHEAP_METHODS and method in _CHEAP_METHODS[kind]:
        return None
    if kind in _BLOCKING_METHODS and method not in _BLOCKING_METHODS[kind]:
        return None
    receiver = _display(func.value)
    return Blocking(
        _KIND_FAMILY[kind],
        f"{receiver}.{method}",
        kind=kind,
        thread_bound=kind == ObjectKind.SQLITE,
        not_offloadable=_NOT_OFFLOADABLE.get((kind, method), ""),
    )


def _display(node: cst.BaseExpression) -> str:
    text = code_of(node)
    return text if len(text) <= 30 else "<object>"


def _does_not_wait(name: str, call: cst.Call) -> bool:
    """``os.waitpid(pid, os.WNOHANG)`` and the like return at once."""
    positions = {"os.waitpid": 1, "os.wait3": 0, "os.wait4": 1, "os.waitid": 2}
    if name not in positions:
        return False
    for index, arg in enumerate(call.args):
        if arg.keyword is None and arg.star == "" and index == positions[name]:
            return _mentions_wnohang(arg.value)
        if arg.keyword is not None and arg.keyword.value == "options":
            return _mentions_wnohang(arg.value)
    return False


def _mentions_wnohang(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _mentions_wnohang(node.left) or _mentions_wnohang(node.right)
    if isinstance(node, cst.Attribute):
        return node.attr.value == "WNOHANG"
    return isinstance(node, cst.Name) and node.value == "WNOHANG"
