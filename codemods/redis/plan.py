"""Plans one coroutine: which redis-py clients become redis.asyncio clients, and what
happens to each call on them and on their pipelines.

A client is migrated only when it is created in the coroutine (``r = redis.Redis(...)``
or ``with redis.Redis(...) as r:``), bound once, used only there (each use a method
call: never passed on, returned, stored or used in a nested function), closed there
(``with`` or ``close()``), and every call on it and on its pipelines has a known async
form. Any other client stays sync: its calls are offloaded to threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import FunctionScope

from codemods.core.catalogue import REDIS_ASYNC_SHAPES, REDIS_LOCAL_METHODS, ObjectKind
from codemods.core.kinds import kind_of
from codemods.core.lookups import Lookups
from codemods.core.navigation import assignments_of, runs_directly_in
from codemods.redis.pipeline import (
    ALWAYS_AWAITED,
    NEVER_AWAITED,
    REFUSED,
    Mode,
    ModeTracker,
)

#: The constructors, by qualified name, and what they become.
_ASYNC_FORMS = {
    **{
        f"redis.{name}": "Redis"
        for name in ("Redis", "StrictRedis", "client.Redis", "client.StrictRedis")
    },
    "redis.from_url": "from_url",
    "redis.utils.from_url": "from_url",
    "redis.Redis.from_url": "Redis.from_url",
    "redis.StrictRedis.from_url": "Redis.from_url",
    "redis.client.Redis.from_url": "Redis.from_url",
}
#: redis.Redis's positional parameters, in order (redis.asyncio.Redis takes keywords only).
_POSITIONAL = (
    "host",
    "port",
    "db",
    "password",
    "socket_timeout",
    "socket_connect_timeout",
    "socket_read_size",
    "socket_keepalive",
    "socket_keepalive_options",
)
#: Keywords that mean the same to redis.asyncio.Redis (and from_url). Left out: those
#: taking sync objects (connection_pool, retry, cache, event_dispatcher,
#: redis_connect_func) and those redis.asyncio lacks (the OCSP and cache options).
SAME_KEYWORDS = frozenset(
    {
        *_POSITIONAL,
        "username",
        "unix_socket_path",
        "encoding",
        "encoding_errors",
        "decode_responses",
        "retry_on_timeout",
        "retry_on_error",
        "ssl",
        "ssl_keyfile",
        "ssl_certfile",
        "ssl_cert_reqs",
        "ssl_ca_certs",
        "ssl_ca_path",
        "ssl_ca_data",
        "ssl_check_hostname",
        "ssl_min_version",
        "ssl_ciphers",
        "ssl_password",
        "max_connections",
        "single_connection_client",
        "health_check_interval",
        "client_name",
        "lib_name",
        "lib_version",
        "protocol",
    }
)
_NEW = "__new__"  # the pseudo-method of a pipeline's creation: it starts buffered


@dataclass
class Plan:
    """What to do with the redis calls of one coroutine (nodes of the original tree)."""

    #: constructor call -> the attribute path after ``redis.asyncio.``, and the keyword
    #: for each positional argument (None: keep it positional)
    constructors: dict[cst.Call, tuple[str, list[str | None]]] = field(default_factory=dict)
    awaited: set[cst.Call] = field(default_factory=set)
    aclose: set[cst.Call] = field(default_factory=set)
    async_withs: set[cst.With] = field(default_factory=set)
    #: calls of sync clients' pipelines that talk to the server: offloaded
    offloaded: set[cst.Call] = field(default_factory=set)
    #: pipeline calls that may run at once or be buffered, depending on the path
    unknown: set[cst.Call] = field(default_factory=set)
    #: client name -> why it stays sync (for the messages of its offloaded calls)
    why_sync: dict[str, str] = field(default_factory=dict)


@dataclass
class _Pipeline:
    name: cst.Name | None  # None for ``r.pipeline().set(...).execute()``
    created: cst.Call
    with_node: cst.With | None
    calls: dict[cst.Call, Mode] = field(default_factory=dict)
    methods: dict[cst.Call, str] = field(default_factory=dict)
    refusal: str = ""


class Planner:
    """Plans one coroutine (``function``) from the original tree, through ``lookups``."""

    def __init__(self, lookups: Lookups, function: cst.FunctionDef) -> None:
        self.lookups = lookups
        self.function = function
        self.plan = Plan()

    # -- the coroutine --------------------------------------------------------

    def run(self) -> Plan:
        clients, pipelines = self._bindings()
        for name, (created, with_node) in clients.items():
            self._client(name, created, with_node, pipelines)
        # Pipelines of clients that stay sync: offload what runs at once.
        for pipeline in pipelines:
            receiver = _receiver(pipeline.created)
            if receiver is None or receiver in self._migrated:
                continue
            if kind_of(self.lookups, receiver) != ObjectKind.REDIS_CLIENT:
                continue
            self._analyse(pipeline)
            if pipeline.refusal:
                continue
            for call, mode in pipeline.calls.items():
                action = _action(pipeline.methods[call], mode)
                if action == "await":
                    self.plan.offloaded.add(call)
                elif action == "unknown":
                    self.plan.unknown.add(call)
        return self.plan

    _migrated: set[cst.Name]

    def _bindings(
        self,
    ) -> tuple[dict[cst.Name, tuple[cst.Call, cst.With | None]], list[_Pipeline]]:
        """Client names bound to a constructor, and pipelines, directly in the coroutine."""
        clients: dict[cst.Name, tuple[cst.Call, cst.With | None]] = {}
        pipelines: list[_Pipeline] = []
        lookups = self.lookups
        self._migrated = set()

        def consider(value: cst.BaseExpression, target: cst.BaseExpression, w: cst.With | None):
            if not isinstance(value, cst.Call) or not isinstance(target, cst.Name):
                return
            if lookups.call_names(value.func) & set(_ASYNC_FORMS):
                clients[target] = (value, w)
            elif isinstance(value.func, cst.Attribute) and value.func.attr.value == "pipeline":
                pipelines.append(_Pipeline(target, value, w))

        class Collect(cst.CSTVisitor):
            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                return False

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                return False

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

            def visit_Assign(self, node: cst.Assign) -> None:
                if len(node.targets) == 1:
                    consider(node.value, node.targets[0].target, None)

            def visit_With(self, node: cst.With) -> None:
                if node.asynchronous is None and len(node.items) == 1:
                    item = node.items[0]
                    if item.asname is not None:
                        consider(item.item, item.asname.name, node)

            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "pipeline"
                    and isinstance(lookups.parent_of(node), cst.Attribute)
                ):
                    pipelines.append(_Pipeline(None, node, None))

        self.function.body.visit(Collect())
        return clients, pipelines

    # -- one client -------------------------------------------------------------

    def _client(
        self,
        name: cst.Name,
        created: cst.Call,
        with_node: cst.With | None,
        pipelines: list[_Pipeline],
    ) -> None:
        reason = self._client_refusal(name, created, with_node, pipelines)
        if reason:
            self.plan.why_sync[name.value] = reason
            return
        self._migrated.add(name)
        plan = self.plan
        plan.constructors[created] = (
            _ASYNC_FORMS[self._constructor_name(created)],
            _keywords(created, self._constructor_name(created)),
        )
        if with_node is not None:
            plan.async_withs.add(with_node)
        for call, method in self._client_calls(name) or []:
            if method == "close":
                plan.aclose.add(call)
            elif method not in REDIS_LOCAL_METHODS:
                plan.awaited.add(call)
        for pipeline in self._pipelines_of(name, pipelines):
            if pipeline.with_node is not None:
                plan.async_withs.add(pipeline.with_node)
            for call, mode in pipeline.calls.items():
                if _action(pipeline.methods[call], mode) == "await":
                    plan.awaited.add(call)

    def _constructor_name(self, created: cst.Call) -> str:
        return next(iter(self.lookups.call_names(created.func) & set(_ASYNC_FORMS)))

    def _client_refusal(
        self,
        name: cst.Name,
        created: cst.Call,
        with_node: cst.With | None,
        pipelines: list[_Pipeline],
    ) -> str:
        """Why the client bound to ``name`` cannot become a redis.asyncio client, or ''."""
        lookups = self.lookups
        if not lookups.module_name_free(created, "redis"):
            return "the name 'redis' is bound to something else here"
        if lookups.suppressed(created, "AM901"):
            return "its migration is suppressed by a comment"
        if with_node is not None and lookups.suppressed(with_node, "AM903"):
            return "its with block is silenced"
        if lookups.held_lock(created):
            return "it is created under a thread lock"
        constructor = self._constructor_name(created)
        if _keywords(created, constructor) is None:
            return "its arguments have no faithful redis.asyncio equivalent"
        accesses = self._accesses(name)
        if accesses is None:
            return "it is bound more than once or used outside this coroutine"
        calls = self._client_calls(name)
        if calls is None:
            return "it is used otherwise than by calling its methods (passed on, returned, stored)"
        # Each call is looked at: when the run leaves AM902 off, every call is such a
        # site, and the codemods after this one leave them alone as well.
        if any([lookups.suppressed(call, "AM902") for call, _ in calls]):
            return "one of its calls is suppressed by a comment"
        closed = with_node is not None
        for _, method in calls:
            if method in REDIS_ASYNC_SHAPES:
                return f"its {method}() object has a different async form"
            if method == "transaction":
                return "transaction() runs a sync function"
            if method == "close":
                closed = True
        if not closed:
            return (
                "it is never closed here, and a redis.asyncio client must be closed "
                "('await r.aclose()' or 'async with')"
            )
        for pipeline in self._pipelines_of(name, pipelines):
            self._analyse(pipeline)
            if pipeline.refusal:
                return pipeline.refusal
            if pipeline.with_node is not None and lookups.suppressed(pipeline.with_node, "AM903"):
                return "the with block of one of its pipelines is silenced"
            for call, mode in pipeline.calls.items():
                if _action(pipeline.methods[call], mode) == "unknown":
                    return (
                        "a pipeline command may run at once (after watch()) or be buffered, "
                        "depending on the path taken"
                    )
        for call, method in calls:
            if method == "pipeline" and not any(p.created is call for p in pipelines):
                return "a pipeline is used otherwise than by calling its methods"
        return ""

    def _pipelines_of(self, name: cst.Name, pipelines: list[_Pipeline]) -> list[_Pipeline]:
        accesses = self._accesses(name) or []
        return [p for p in pipelines if _receiver(p.created) in accesses]

    def _client_calls(self, name: cst.Name) -> list[tuple[cst.Call, str]] | None:
        """``(call, method)`` for each use of the client, or None if a use is not a method
        call."""
        out = []
        for access in self._accesses(name) or []:
            call = _method_call(self.lookups, access)
            if call is None:
                return None
            assert isinstance(call.func, cst.Attribute)
            out.append((call, call.func.attr.value))
        return out

    def _accesses(self, name: cst.Name) -> list[cst.Name] | None:
        """The uses of the local ``name``, bound only at ``name``, all directly in this
        coroutine and outside thread locks; None otherwise."""
        lookups = self.lookups
        assignments = assignments_of(lookups, name)
        if len(assignments) != 1 or assignments[0].node is not name:
            return None
        scope = lookups.scope_of(name)
        assert scope is not None
        local = assignments[0].scope
        if not isinstance(local, FunctionScope) or local.node is not self.function:
            return None  # a global or nonlocal name: other code may use the client
        if len(scope[name.value]) != 1:
            return None
        out = []
        for access in assignments[0].references:
            node = access.node
            if not isinstance(node, cst.Name) or not self._directly_here(node):
                return None
            if lookups.held_lock(node):
                return None
            out.append(node)
        return out

    def _directly_here(self, node: cst.CSTNode) -> bool:
        return runs_directly_in(self.lookups, node, self.function, awaiting=True)

    # -- pipelines --------------------------------------------------------------

    def _analyse(self, pipeline: _Pipeline) -> None:
        """Fill ``pipeline.calls`` with the mode of each of its calls, or set ``refusal``."""
        if pipeline.calls or pipeline.refusal:
            return
        lookups = self.lookups
        if pipeline.name is None:
            self._analyse_chain(pipeline)
            return
        accesses = self._accesses(pipeline.name)
        if accesses is None:
            pipeline.refusal = "a pipeline is bound more than once or used elsewhere"
            return
        roots = set(accesses)
        for access in accesses:
            call = _method_call(lookups, access)
            if call is None:
                pipeline.refusal = "a pipeline is used otherwise than by calling its methods"
                return

        def ops(node: cst.CSTNode) -> list[tuple[cst.Call, str]]:
            found: list[tuple[cst.Call, str]] = []

            class Collect(cst.CSTVisitor):
                def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                    return False

                def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                    return False

                def visit_Lambda(self, node: cst.Lambda) -> bool:
                    return False

                def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
                    return False  # a compound statement's body: walked by the tracker

                def leave_Call(self, original_node: cst.Call) -> None:
                    if original_node is pipeline.created:
                        found.append((original_node, _NEW))
                    elif _root(original_node) in roots:
                        assert isinstance(original_node.func, cst.Attribute)
                        found.append((original_node, original_node.func.attr.value))

            node.visit(Collect())
            return found

        tracker = ModeTracker(ops)
        tracker.run(self.function.body.body, Mode.BUFFERED)
        for call, mode in tracker.modes.items():
            if call is pipeline.created:
                continue
            assert isinstance(call.func, cst.Attribute)
            method = call.func.attr.value
            if method in REFUSED or method in REDIS_ASYNC_SHAPES:
                pipeline.refusal = f"pipeline.{method}() has a different async form"
                return
            inner = call.func.value
            if isinstance(inner, cst.Call) and not _chainable(tracker.modes.get(inner), inner):
                pipeline.refusal = "a pipeline call is chained where it may not return the pipeline"
                return
            pipeline.calls[call] = mode
            pipeline.methods[call] = method
        for access in accesses:
            if _method_call(lookups, access) not in pipeline.calls:
                # in a statement the tracker does not follow
                pipeline.refusal = "a pipeline is used where its mode cannot be followed"
                return

    def _analyse_chain(self, pipeline: _Pipeline) -> None:
        """``r.pipeline().set(...).get(...).execute()``: buffered commands, then execute."""
        node: cst.CSTNode = pipeline.created
        while True:
            parent = self.lookups.parent_of(node)
            if not isinstance(parent, cst.Attribute) or parent.value is not node:
                break
            call = self.lookups.parent_of(parent)
            if not isinstance(call, cst.Call) or call.func is not parent:
                pipeline.refusal = "a pipeline is used otherwise than by calling its methods"
                return
            method = parent.attr.value
            if method in REFUSED or method in REDIS_ASYNC_SHAPES or method in NEVER_AWAITED:
                pipeline.refusal = f"pipeline.{method}() in a chain"
                return
            if method == "watch":
                pipeline.refusal = "pipeline.watch() in a chain"
                return
            pipeline.calls[call] = Mode.BUFFERED
            pipeline.methods[call] = method
            if method in ALWAYS_AWAITED:
                if isinstance(self.lookups.parent_of(call), cst.Attribute):
                    pipeline.refusal = f"pipeline.{method}() in the middle of a chain"
                return
            node = call
        pipeline.refusal = "a pipeline chain that does not end with execute()"


def _chainable(mode: Mode | None, inner: cst.Call) -> bool:
    """A call whose result is the pipeline: a buffered command."""
    if mode is not Mode.BUFFERED or not isinstance(inner.func, cst.Attribute):
        return False
    method = inner.func.attr.value
    return method not in ALWAYS_AWAITED and method not in NEVER_AWAITED


def _action(method: str, mode: Mode) -> str:
    """``await`` (or offload), ``leave`` or ``unknown``, for a pipeline call."""
    if method in ALWAYS_AWAITED:
        return "await"
    if method in NEVER_AWAITED:
        return "leave"
    if mode is Mode.BUFFERED:
        return "leave"
    if mode is Mode.IMMEDIATE:
        return "await"
    return "unknown"


def _method_call(lookups: Lookups, access: cst.Name) -> cst.Call | None:
    """The call ``access.method(...)``, if that is how ``access`` is used."""
    attribute = lookups.parent_of(access)
    if not isinstance(attribute, cst.Attribute) or attribute.value is not access:
        return None
    call = lookups.parent_of(attribute)
    if not isinstance(call, cst.Call) or call.func is not attribute:
        return None
    return call


def _receiver(call: cst.Call) -> cst.Name | None:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.value
    return None


def _root(call: cst.Call) -> cst.Name | None:
    """``p`` for ``p.a(...)``, ``p.a(...).b(...)``, ..."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    if isinstance(func.value, cst.Name):
        return func.value
    if isinstance(func.value, cst.Call):
        return _root(func.value)
    return None


def _keywords(call: cst.Call, constructor: str) -> list[str | None] | None:
    """The keyword each positional argument becomes (None: stays positional), or None when
    an argument has no faithful equivalent."""
    out: list[str | None] = []
    positional = _POSITIONAL if _ASYNC_FORMS[constructor] == "Redis" else (None,)
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value not in SAME_KEYWORDS:
                return None
            out.append(None)
            continue
        if index >= len(positional):
            return None
        out.append(positional[index])
    return out
