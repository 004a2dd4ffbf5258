"""redis-py's sync client in a coroutine -> ``redis.asyncio`` (see :mod:`.plan`):

- ``r = redis.Redis(...)`` / ``redis.from_url(...)`` -> ``redis.asyncio.Redis(...)`` /
  ``redis.asyncio.from_url(...)`` (positional arguments become keywords);
- each command ``await``-ed, ``r.close()`` -> ``await r.aclose()``, ``with`` -> ``async with``;
- a pipeline's buffered commands stay plain calls; ``execute()``, ``watch()``, ``reset()``,
  ``unwatch()`` and the commands between ``watch()`` and ``multi()`` are awaited.

A client that stays sync (made elsewhere, passed on, never closed, ...) has its calls
offloaded, ``await asyncio.to_thread(r.get, key)``; lock, pubsub, scan_iter and the
like are reported with their async form.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.blocking import Blocking
from codemods.core.build import code_of
from codemods.core.catalogue import Family, ObjectKind
from codemods.core.offloading import OffloadingCodemod
from codemods.redis.plan import Plan, Planner
from codemods.redis.spec import SPEC


class RedisCommand(OffloadingCodemod):
    """Migrate redis-py clients used only in one coroutine to redis.asyncio."""

    SPEC = SPEC
    FAMILIES = frozenset({Family.REDIS})
    OFFLOADED = "AM904"
    NOT_OFFLOADED = "AM905"
    THREAD_BOUND = "AM906"  # never emitted: redis-py clients may be shared by threads
    CANNOT_HERE = "AM906"
    ASYNC_INSTEAD = "AM907"

    def __init__(self, context: CodemodContext, offload: bool = True) -> None:
        super().__init__(context, offload)
        self._plan = Plan()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        found = Planner(self, node).run()
        plan = self._plan
        plan.constructors.update(found.constructors)
        plan.awaited |= found.awaited
        plan.aclose |= found.aclose
        plan.async_withs |= found.async_withs
        plan.offloaded |= found.offloaded
        plan.unknown |= found.unknown
        plan.why_sync.update(found.why_sync)

    # -- with -------------------------------------------------------------------

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.BaseStatement:
        if original_node not in self._plan.async_withs:
            return updated_node
        self.fixed(original_node, "AM903", "with -> async with (redis.asyncio)")
        return updated_node.with_changes(asynchronous=cst.Asynchronous())

    # -- calls ------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        plan = self._plan
        if original_node in plan.constructors:
            return self._constructor(original_node, updated_node)
        if original_node in plan.aclose:
            func = updated_node.func
            assert isinstance(func, cst.Attribute)
            self.fixed(original_node, "AM902", "close() -> await aclose() (redis.asyncio)")
            new = updated_node.with_changes(func=func.with_changes(attr=cst.Name("aclose")))
            return self.awaited(original_node, new)
        if original_node in plan.awaited:
            self.fixed(original_node, "AM902", f"await {_method(original_node)}() (redis.asyncio)")
            return self.awaited(original_node, updated_node)
        if original_node in plan.unknown:
            self.report(
                original_node,
                "AM906",
                f"pipeline command {_method(original_node)}() may run at once (after "
                "watch(), before multi()) or be buffered, depending on the path taken; "
                "migrate by hand",
            )
            return updated_node
        if original_node in plan.offloaded:
            found = self._pipeline_call(original_node)
            if found is None:
                return updated_node
            return self.offload_or_report(original_node, updated_node, found)
        return super().leave_Call(original_node, updated_node)

    def _constructor(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        form, keywords = self._plan.constructors[original]
        func: cst.BaseExpression = cst.Attribute(value=cst.Name("redis"), attr=cst.Name("asyncio"))
        for part in form.split("."):
            func = cst.Attribute(value=func, attr=cst.Name(part))
        args = []
        for arg, keyword in zip(updated.args, keywords, strict=True):
            if keyword is not None:
                arg = arg.with_changes(
                    keyword=cst.Name(keyword),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
            args.append(arg)
        self.need_import("redis.asyncio")
        self.drop_import_if_unused(original.func)
        self.fixed(original, "AM901", f"redis client -> redis.asyncio.{form}(...)")
        return updated.with_changes(func=func, args=args)

    def _pipeline_call(self, original: cst.Call) -> Blocking | None:
        """A call on a sync client's pipeline that runs at once (its checks as in
        :meth:`blocking_call`)."""
        if not self.in_coroutine() or self.suppressed(original, self.OFFLOADED):
            return None
        if isinstance(self.parent_of(original), cst.Await):
            return None
        if not self.module_name_free(original, "asyncio"):
            self.report(
                original,
                self.CANNOT_HERE,
                f"blocking call {_method(original)}() where the name 'asyncio' is bound to "
                "something else",
            )
            return None
        func = original.func
        assert isinstance(func, cst.Attribute)
        receiver = code_of(func.value)
        return Blocking(
            Family.REDIS, f"{receiver}.{func.attr.value}", kind=ObjectKind.REDIS_PIPELINE
        )

    def offload_or_report(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression:
        if found.thread_bound or found.async_instead or found.not_offloadable:
            return super().offload_or_report(original, updated, found)
        if not self.offload:
            return super().offload_or_report(original, updated, found)
        client = _client_name(original) or "the client"
        if found.kind == ObjectKind.REDIS_PIPELINE:
            why = "a pipeline of a client that stays sync"
        else:
            reason = self._plan.why_sync.get(client, "it is not created in this coroutine")
            why = f"{client} stays a sync client: {reason}; redis-py clients are thread-safe"
        self.fixed(
            original,
            self.OFFLOADED,
            f"{found.name}() offloaded to a thread, await asyncio.to_thread(...) ({why})",
        )
        return self.offloaded(original, updated)


def _method(call: cst.Call) -> str:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else "?"


def _client_name(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.value.value
    return None
