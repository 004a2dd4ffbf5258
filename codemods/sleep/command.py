"""``time.sleep(x)`` in a coroutine -> ``await asyncio.sleep(x)``."""

from __future__ import annotations

import libcst as cst

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.offloaded import is_offloaded
from codemods.sleep.spec import SPEC

SLEEP = "time.sleep"


class SleepCommand(AsyncCodemod):
    """Rewrite ``time.sleep`` calls made directly in coroutines into ``await asyncio.sleep``."""

    SPEC = SPEC

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.resolves_to(original_node.func, (SLEEP,)) is None:
            return updated_node
        if self.in_generator_expression():
            self.report(
                original_node,
                "AM104",
                "time.sleep in a generator expression inside a coroutine; awaiting it there "
                "would turn the generator into an async generator",
            )
            return updated_node
        if self.under_thread_lock():
            self.report(
                original_node,
                "AM106",
                f"time.sleep left unchanged: {LOCKED_REASON}",
            )
            return updated_node
        if not self.in_coroutine():
            return updated_node
        reason = unsupported_arguments(updated_node)
        if reason:
            self.report(original_node, "AM103", f"time.sleep with {reason}; rewrite it by hand")
            return updated_node
        if not self.module_name_free(original_node, "asyncio"):
            self.report(
                original_node,
                "AM105",
                "time.sleep where the name 'asyncio' is not the module-level asyncio module",
            )
            return updated_node
        if self.suppressed(original_node, "AM101"):
            return updated_node
        self.need_import("asyncio")
        self.drop_import_if_unused(original_node.func)
        self.fixed(original_node, "AM101", "time.sleep -> await asyncio.sleep")
        return self.awaited(original_node, asyncio_sleep(updated_node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._report_reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._report_reference(node)

    def _report_reference(self, node: cst.BaseExpression) -> None:
        if not (self.in_coroutine() or self.in_generator_expression()):
            return
        if self.is_call_target(node) or self.resolves_to(node, (SLEEP,)) is None:
            return
        if is_offloaded(node, self.parent_of, self.qualified_names):
            return  # handed to a worker thread: already the fix
        parent = self.parent_of(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return  # the ``sleep`` of ``time.sleep``: reported once, for the attribute
        self.report(
            node,
            "AM102",
            "time.sleep referenced but not called here; the callee will block the loop",
        )


def asyncio_sleep(call: cst.Call) -> cst.Call:
    """``asyncio.sleep(x)`` for the call ``time.sleep(x)``."""
    return call.with_changes(func=cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("sleep")))


def unsupported_arguments(call: cst.Call) -> str:
    """Why the call's arguments cannot be carried over as they are, or ''."""
    if len(call.args) != 1:
        return f"{len(call.args)} arguments"
    (arg,) = call.args
    if arg.star:
        return "a starred argument"
    if arg.keyword is not None:
        return "a keyword argument"
    value = arg.value
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        if isinstance(value.expression, (cst.Integer, cst.Float)):
            # time.sleep raises ValueError here; asyncio.sleep returns at once.
            return "a negative duration"
    return ""
