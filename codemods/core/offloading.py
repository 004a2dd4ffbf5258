"""What blocks the event loop: the calls ruff's and flake8-async's blocking-call rules
(ASYNC210-251) flag, the kind of object a name holds (a file, an httpx client, a
sqlite3 connection, ...), and :class:`OffloadingCodemod`, the base of the codemods
that offload such a call to a thread when nothing better is faithful.

Offloading one call, ``await asyncio.to_thread(func, *args, **kwargs)``, is faithful for
any callable: the callee and the arguments are evaluated in the coroutine in the same
order as before, the call returns or raises the same, and only the call itself runs in a
worker thread. It is wrong only for objects bound to the thread that made them
(``sqlite3`` connections and cursors), which are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import Assignment, PositionProvider, ScopeProvider

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.catalogue import (
    _HTTP_VERBS,
    ANNOTATIONS,
    CONSTRUCTORS,
    DATABASE,
    FILE,
    FILES,
    FUNCTIONS,
    HTTP,
    HTTPX_CLIENT,
    POPEN,
    SQLITE,
    SUBPROCESS,
    URL_RESPONSE,
    URLLIB3_POOL,
)

_KIND_FAMILY = {
    FILE: FILES,
    HTTPX_CLIENT: HTTP,
    URLLIB3_POOL: HTTP,
    URL_RESPONSE: HTTP,
    SQLITE: DATABASE,
    POPEN: SUBPROCESS,
}
# Methods that do not block, per kind; every other method call on such an object is
# treated as blocking (as flake8-async does for files and urllib3 pools).
_CHEAP_METHODS = {
    FILE: frozenset({"fileno", "detach"}),
    URLLIB3_POOL: frozenset(
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
    HTTPX_CLIENT: frozenset({*_HTTP_VERBS, "send", "close", "stream"}),
    SQLITE: frozenset(
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
    POPEN: frozenset({"wait", "communicate"}),
    URL_RESPONSE: frozenset({"read", "read1", "readline", "readlines", "readinto", "peek"}),
}
# (kind, method) pairs that offloading would not make non-blocking.
_NOT_OFFLOADABLE = {
    (HTTPX_CLIENT, "stream"): "the response is read in the with block that follows",
}
# Functions that offloading would not make non-blocking.
_FUNCTIONS_NOT_OFFLOADABLE = {
    "httpx.stream": "the response is read in the with block that follows",
    "httpx2.stream": "the response is read in the with block that follows",
}


@dataclass(frozen=True)
class Blocking:
    """One recognised blocking call."""

    family: str
    name: str  # what users see: "subprocess.run", "f.read"
    kind: str | None = None  # the receiver's kind, for a method call
    thread_bound: bool = False
    not_offloadable: str = ""  # why offloading would not help, or ""


def classify(codemod: AsyncCodemod, call: cst.Call) -> Blocking | None:
    """The blocking call ``call`` (a node of the original tree) is, or None."""
    for name in sorted(codemod.call_names(call.func)):
        family = FUNCTIONS.get(name)
        if family is None:
            continue
        if _does_not_wait(name, call):
            return None
        return Blocking(
            family,
            name.removeprefix("builtins."),
            thread_bound=family == DATABASE,
            not_offloadable=_FUNCTIONS_NOT_OFFLOADABLE.get(name, ""),
        )
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    kind = kind_of(codemod, func.value)
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
        thread_bound=kind == SQLITE,
        not_offloadable=_NOT_OFFLOADABLE.get((kind, method), ""),
    )


def _display(node: cst.BaseExpression) -> str:
    text = cst.Module([]).code_for_node(node)
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


# -- kinds of objects -----------------------------------------------------------


def kind_of(codemod: AsyncCodemod, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """The kind of object ``node`` (original tree) evaluates to, when it is known."""
    if depth > 8:
        return None
    if isinstance(node, cst.Call):
        for name in codemod.call_names(node.func):
            if name in CONSTRUCTORS:
                return CONSTRUCTORS[name]
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in {"cursor", "execute", "executemany", "executescript"}
            and kind_of(codemod, func.value, depth + 1) == SQLITE
        ):
            return SQLITE
        return None
    if isinstance(node, cst.Name):
        return _name_kind(codemod, node, depth)
    return None


def _position(codemod: AsyncCodemod, node: cst.CSTNode) -> tuple[int, int]:
    start = codemod.get_metadata(PositionProvider, node).start
    return start.line, start.column


def _name_kind(codemod: AsyncCodemod, name: cst.Name, depth: int) -> str | None:
    """The declared kind of a name: its last annotation before ``name`` in its scope,
    else the value of its last assignment (as a type checker and flake8-async read it)."""
    scope = codemod.get_metadata(ScopeProvider, name, None)
    if scope is None:
        return None
    assignments = [a for a in scope[name.value] if isinstance(a, Assignment)]
    if not assignments:
        return None
    use = _position(codemod, name)
    local = [a for a in assignments if a.scope is scope]
    if local:
        before = [a for a in local if _position(codemod, a.node) < use]
        if not before:
            return None
    else:  # a global or a closure variable: as bound where the coroutine is defined
        before = [a for a in assignments if _position(codemod, a.node) < use] or assignments
    before.sort(key=lambda a: _position(codemod, a.node))
    for assignment in reversed(before):
        declared = _declared_annotation(codemod, assignment.node)
        if declared is not None:
            return _annotation_kind(codemod, declared)
    return _assigned_kind(codemod, before[-1].node, depth)


def _declared_annotation(codemod: AsyncCodemod, node: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(node, cst.Param):
        return node.annotation.annotation if node.annotation is not None else None
    parent = codemod.parent_of(node)
    if isinstance(parent, cst.AnnAssign) and parent.target is node:
        return parent.annotation.annotation
    return None


def _assigned_kind(codemod: AsyncCodemod, node: cst.CSTNode, depth: int) -> str | None:
    parent = codemod.parent_of(node)
    if isinstance(parent, cst.AssignTarget) and parent.target is node:
        assign = codemod.parent_of(parent)
        if isinstance(assign, cst.Assign):
            return kind_of(codemod, assign.value, depth + 1)
    if isinstance(parent, cst.AsName) and parent.name is node:
        item = codemod.parent_of(parent)
        if isinstance(item, cst.WithItem):
            # files, clients, pools, connections and Popen all return self on enter
            return kind_of(codemod, item.item, depth + 1)
    return None


def _annotation_kind(codemod: AsyncCodemod, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [node.left, node.right]
        others = [s for s in sides if not (isinstance(s, cst.Name) and s.value == "None")]
        return _annotation_kind(codemod, others[0]) if len(others) == 1 else None
    optional = {"typing.Optional", "Optional"}
    if isinstance(node, cst.Subscript) and codemod.call_names(node.value) & optional:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return _annotation_kind(codemod, node.slice[0].slice.value)
        return None
    for name in codemod.call_names(node):
        if name in ANNOTATIONS:
            return ANNOTATIONS[name]
    return None


# -- the base of the codemods that offload --------------------------------------


class OffloadingCodemod(AsyncCodemod):
    """A codemod that offloads the blocking calls of its ``FAMILIES`` it cannot rewrite
    idiomatically (``offload=False``: reports them instead)."""

    FAMILIES: ClassVar[frozenset[str]] = frozenset()
    #: Codes: offloaded (rewrite), offloading switched off, thread-bound, not here.
    OFFLOADED: ClassVar[str] = ""
    NOT_OFFLOADED: ClassVar[str] = ""
    THREAD_BOUND: ClassVar[str] = ""
    CANNOT_HERE: ClassVar[str] = ""

    def __init__(self, context: CodemodContext, offload: bool = True) -> None:
        super().__init__(context)
        self.offload = offload

    def blocking_call(self, original: cst.Call) -> Blocking | None:
        """The blocking call of this codemod's families ``original`` is, when it runs
        in a coroutine and is not awaited; reports it when it cannot be rewritten here."""
        if self.under_thread_lock():
            found = classify(self, original)
            if found is not None and found.family in self.FAMILIES:
                self.report(
                    original,
                    self.CANNOT_HERE,
                    f"blocking call {found.name}() left unchanged: {LOCKED_REASON}",
                )
            return None
        if not (self.in_coroutine() or self.in_generator_expression()):
            return None
        found = classify(self, original)
        if found is None or found.family not in self.FAMILIES:
            return None
        if self.suppressed(original, self.OFFLOADED):
            return None
        if isinstance(self.parent_of(original), cst.Await):
            if self.qualified_names(original.func):  # really the blocking function
                self.report(
                    original,
                    self.CANNOT_HERE,
                    f"{found.name}() is awaited but returns no awaitable: it blocks, then the "
                    "await raises TypeError; fix by hand",
                )
            return None
        if self.in_generator_expression():
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}() in a generator expression inside a coroutine; "
                "awaiting it there would turn the generator into an async generator",
            )
            return None
        if not self.module_name_free(original, "asyncio"):
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}() where the name 'asyncio' is bound to something else",
            )
            return None
        return found

    def offload_or_report(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression:
        """``await asyncio.to_thread(...)`` for the call, or a finding saying why not."""
        if found.thread_bound:
            self.report(
                original,
                self.THREAD_BOUND,
                f"blocking call {found.name}(): sqlite3 connections and cursors are bound to "
                "the thread that made them, so it cannot be offloaded; use an async driver "
                "(aiosqlite)",
            )
            return updated
        if found.not_offloadable:
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {found.name}(): {found.not_offloadable}; migrate by hand",
            )
            return updated
        if not self.offload:
            self.report(
                original,
                self.NOT_OFFLOADED,
                f"blocking call {found.name}() left as is (offloading to a thread is off)",
            )
            return updated
        self.fixed(
            original,
            self.OFFLOADED,
            f"blocking call {found.name}() offloaded to a thread: await asyncio.to_thread(...)",
        )
        return self.offloaded(original, updated)
