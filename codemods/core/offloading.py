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

from codemods.core import catalogue
from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.catalogue import (
    _HTTP_VERBS,
    ANNOTATIONS,
    ASYNC_INSTEAD,
    ASYNC_INSTEAD_FUNCTIONS,
    ASYNC_INSTEAD_KINDS,
    CONSTRUCTORS,
    DATABASE,
    FILE,
    FILES,
    FUNCTIONS,
    HTTP,
    HTTPX_CLIENT,
    MEMBERS,
    NETWORK,
    POPEN,
    REDIS,
    RETURNS,
    SQLITE,
    SUBPROCESS,
    THREAD_BOUND,
    THREADS,
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
    catalogue.REDIS_CLIENT: REDIS,
    catalogue.REDIS_PIPELINE: REDIS,
    **{
        kind: NETWORK
        for kind in (
            catalogue.MONGO_CLIENT,
            catalogue.MONGO_DATABASE,
            catalogue.MONGO_COLLECTION,
            catalogue.SMTP_CLIENT,
            catalogue.FTP_CLIENT,
            catalogue.HTTP_CONNECTION,
            catalogue.BOTO_CLIENT,
            catalogue.BOTO_RESOURCE,
            catalogue.BOTO_SESSION,
            catalogue.SSH_CLIENT,
            catalogue.SFTP_CLIENT,
            catalogue.SOCKET,
        )
    },
    **{
        kind: THREADS
        for kind in (
            catalogue.THREAD_EVENT,
            catalogue.THREAD_QUEUE,
            catalogue.FUTURE,
            catalogue.EXECUTOR,
            catalogue.THREAD,
            catalogue.THREAD_LOCK,
            catalogue.THREAD_RLOCK,
        )
    },
    **{kind: DATABASE for kind in (catalogue.SA_ENGINE, catalogue.SA_CONNECTION)},
    catalogue.SA_SESSION: DATABASE,
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
    **catalogue.CHEAP_METHODS,
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
    **catalogue.BLOCKING_METHODS,
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
    #: why the object cannot go to a worker thread, and what to use (thread-bound calls)
    thread_reason: str = ""
    #: why offloading would not be faithful or would not help, and the async API instead
    async_instead: str = ""


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
            async_instead=ASYNC_INSTEAD_FUNCTIONS.get(name, ""),
        )
    if _reads_cursor_whole(codemod, call):
        return Blocking(NETWORK, "list", kind=catalogue.MONGO_COLLECTION)
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
    if kind == catalogue.BOTO_RESOURCE and method[:1].isupper():
        return None
    if (kind, method) in _CURSORS and _read_whole(codemod, call):
        return None  # offloaded with the list() around it
    receiver = _display(func.value)
    return Blocking(
        _KIND_FAMILY[kind],
        f"{receiver}.{method}",
        kind=kind,
        thread_bound=kind == SQLITE or kind in THREAD_BOUND,
        not_offloadable=_NOT_OFFLOADABLE.get((kind, method), ""),
        thread_reason=THREAD_BOUND.get(kind, ""),
        async_instead=ASYNC_INSTEAD.get((kind, method), ASYNC_INSTEAD_KINDS.get(kind, "")),
    )


# ``list(coll.find(...))``: find() does no I/O until iterated, so offloading the list()
# call moves all of the cursor's I/O to the thread.
_CURSORS = frozenset(
    {(catalogue.MONGO_COLLECTION, "find"), (catalogue.MONGO_COLLECTION, "find_raw_batches")}
)


def _reads_cursor_whole(codemod: AsyncCodemod, call: cst.Call) -> bool:
    """``list(<collection>.find(...))``."""
    if "builtins.list" not in codemod.qualified_names(call.func):
        return False
    if len(call.args) != 1 or call.args[0].star or call.args[0].keyword is not None:
        return False
    inner = call.args[0].value
    if not isinstance(inner, cst.Call) or not isinstance(inner.func, cst.Attribute):
        return False
    kind = kind_of(codemod, inner.func.value)
    return (kind, inner.func.attr.value) in _CURSORS


def _read_whole(codemod: AsyncCodemod, call: cst.Call) -> bool:
    parent = codemod.parent_of(call)
    if not isinstance(parent, cst.Arg):
        return False
    outer = codemod.parent_of(parent)
    return isinstance(outer, cst.Call) and _reads_cursor_whole(codemod, outer)


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
        if not isinstance(func, cst.Attribute):
            return None
        receiver = kind_of(codemod, func.value, depth + 1)
        if receiver == SQLITE and func.attr.value in {
            "cursor",
            "execute",
            "executemany",
            "executescript",
        }:
            return SQLITE
        if receiver == catalogue.BOTO_RESOURCE and func.attr.value[:1].isupper():
            return receiver  # a sub-resource: s3.Bucket(name), made without I/O
        return RETURNS.get((receiver, func.attr.value)) if receiver is not None else None
    if isinstance(node, cst.Name):
        return _name_kind(codemod, node, depth)
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        # ``client.db`` / ``client["db"]``: only kinds whose members are known objects
        # (an attribute of anything else may be a method or plain data).
        receiver = kind_of(codemod, node.value, depth + 1)
        return MEMBERS.get(receiver) if receiver is not None else None
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
    #: A call offloading would not make faithful or non-blocking, with an async API to
    #: use instead (defaults to ``CANNOT_HERE``).
    ASYNC_INSTEAD: ClassVar[str] = ""

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
            why = found.thread_reason or (
                "sqlite3 connections and cursors are bound to the thread that made them, so "
                "it cannot be offloaded; use an async driver (aiosqlite)"
            )
            self.report(original, self.THREAD_BOUND, f"blocking call {found.name}(): {why}")
            return updated
        if found.async_instead:
            self.report(
                original,
                self.ASYNC_INSTEAD or self.CANNOT_HERE,
                f"blocking call {found.name}(): {found.async_instead}",
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
