"""Blocking file I/O in coroutines -> aiofiles, ``aiofiles.os`` and ``asyncio.to_thread``.

The decisions (which file objects can be migrated, and how) are made per coroutine by
:mod:`codemods.files.plan`; this module applies them and handles the plain calls
(``os.*``, ``os.path.*``, ``shutil.*``, ``pathlib.Path`` methods) on its own.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.build import await_expression, dotted, with_commas
from codemods.core.problems import Problem
from codemods.files import build, facts
from codemods.files.plain import PlainCall, plain_call
from codemods.files.plan import (
    AwaitCall,
    Binding,
    Consumer,
    ConsumerKind,
    CsvBuffer,
    OpenCall,
    Plan,
    Planner,
    ReadLines,
)
from codemods.files.spec import SPEC

__all__ = ["FilesCommand"]

_Loop = TypeVar("_Loop", cst.For, cst.CompFor)


class FilesCommand(AsyncCodemod):
    """Rewrite blocking file I/O made directly in coroutines into aiofiles calls."""

    SPEC = SPEC

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        self._plan = Plan()

    # -- planning, per coroutine --------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        plan = Planner(node, self).run()
        calls = [n for n in plan.actions if isinstance(n, cst.Call)] + list(plan.seen_calls)
        locked = {id(c) for c in calls if self.held_lock(c)}
        if locked:  # the coroutine's files are planned together: leave them all
            for call in dict.fromkeys(calls):
                self.report(
                    call,
                    "AM322",
                    "file call left unchanged: "
                    + (
                        LOCKED_REASON
                        if id(call) in locked
                        else "another file call of this coroutine runs under a thread lock"
                    ),
                )
            return
        plan = self._check_names(node, plan)
        uses_off = self._uses_left_off(plan)
        plan = self._check_suppressions(plan, bool(uses_off))
        self._plan.actions.update(plan.actions)
        self._plan.async_withs |= plan.async_withs
        self._plan.seen_calls |= plan.seen_calls
        self.report_problems(plan.refusals)
        for call in uses_off:  # reported (AM321), then left alone by later codemods too
            self.leave_alone(call)

    def _check_names(self, function: cst.FunctionDef, plan: Plan) -> Plan:
        """Drop the whole plan if a module name it needs is taken in this coroutine."""
        if not plan.actions:
            return plan
        needed = {"aiofiles"}
        for action in plan.actions.values():
            if isinstance(action, (ReadLines, CsvBuffer)) or (
                isinstance(action, Consumer)
                and action.kind in (ConsumerKind.CSV_READER, ConsumerKind.CSV_WRITER)
            ):
                needed.add("io")
            elif isinstance(action, Consumer):
                needed.add(action.kind.value.split(".")[0])
        needed.discard("builtins")
        where = function.body.body[0]
        taken = sorted(m for m in needed if not self.module_name_free(where, m))
        if not taken:
            return plan
        kept = Plan(seen_calls=plan.seen_calls, refusals=list(plan.refusals))
        for action in plan.actions.values():
            if isinstance(action, OpenCall):
                kept.refusals.append(
                    Problem(
                        action.binding.call,
                        "AM320",
                        f"file left unchanged: the name '{taken[0]}' is bound to something "
                        "other than the module in this coroutine",
                    )
                )
        return kept

    def _uses_left_off(self, plan: Plan) -> list[cst.Call]:
        """The opening calls of the plan when the run leaves the code of one of its file
        uses off (a method call awaited, a line loop, a consumer): the file objects of a
        coroutine are migrated together, so none is."""
        uses_off = [
            node
            for node, action in plan.actions.items()
            if _use_code(action) and self.left_off(node, _use_code(action))
        ]
        if not uses_off:
            return []
        return [a.binding.call for a in plan.actions.values() if isinstance(a, OpenCall)]

    def _check_suppressions(self, plan: Plan, uses_off: bool) -> Plan:
        """Drop the whole plan if one of its files is silenced by a comment (or its code
        is left off by the run), or a use of one is left off by the run: the file objects
        of a coroutine are planned together, so none is half-migrated."""
        silenced = [
            action.binding.call
            for action in plan.actions.values()
            if isinstance(action, OpenCall) and self.suppressed(action.binding.call, "AM301")
        ]
        if not silenced and not uses_off:
            return plan
        why = (
            "a use of a file in this coroutine has its code ignored"
            if uses_off
            else "another file in this coroutine is silenced by a suppression comment"
        )
        kept = Plan(seen_calls=plan.seen_calls, refusals=list(plan.refusals))
        for action in plan.actions.values():
            if isinstance(action, OpenCall) and action.binding.call not in silenced:
                kept.refusals.append(
                    Problem(
                        action.binding.call,
                        "AM321",
                        f"file left unchanged: {why}, and they are migrated together",
                    )
                )
        return kept

    # -- applying ---------------------------------------------------------------------

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        action = self._plan.actions.get(original_node)
        if isinstance(action, CsvBuffer):
            assert isinstance(updated_node.body, cst.IndentedBlock)
            self.need_import("io")
            body = build.buffered_body(
                updated_node.body, action.name, action.buffer, action.first, action.last
            )
            updated_node = updated_node.with_changes(body=body)
        if original_node in self._plan.async_withs:
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        return self._over_lines(original_node, updated_node)

    def leave_CompFor(self, original_node: cst.CompFor, updated_node: cst.CompFor) -> cst.CompFor:
        return self._over_lines(original_node, updated_node)

    def _over_lines(self, original: _Loop, updated: _Loop) -> _Loop:
        """A loop over a file's lines iterates its content, read at once."""
        action = self._plan.actions.get(original)
        if not isinstance(action, ReadLines):
            return updated
        self.fixed(original, "AM303", _LINES_MESSAGE)
        self.need_import("io")
        return updated.with_changes(
            iter=build.lines_source(action.name, action.binary, action.newline)
        )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        action = self._plan.actions.get(original_node)
        if isinstance(action, OpenCall):
            return self._open(original_node, updated_node, action.binding)
        if isinstance(action, AwaitCall):
            self.fixed(original_node, "AM302", "file method awaited")
            return self.awaited(original_node, updated_node)
        if isinstance(action, Consumer):
            kind = action.kind.value.replace("builtins.", "")
            self.fixed(original_node, "AM304", f"{kind} on a file -> in-memory form")
            return self._consumer(original_node, updated_node, action)
        if original_node in self._plan.seen_calls:
            return updated_node
        return self._plain_call(original_node, updated_node)

    def _open(self, original: cst.Call, updated: cst.Call, binding: Binding) -> cst.BaseExpression:
        if binding.factory in facts.TEMPFILE:
            self.need_import("aiofiles.tempfile")
            self.drop_import_if_unused(original.func)
            short = binding.factory.rsplit(".", 1)[1]
            new = updated.with_changes(func=dotted(f"aiofiles.tempfile.{short}"))
        else:
            self.need_import("aiofiles")
            args = list(updated.args)
            if binding.factory == "path.open":
                assert isinstance(updated.func, cst.Attribute)
                args.insert(0, cst.Arg(updated.func.value.with_changes(lpar=[], rpar=[])))
            new = updated.with_changes(func=dotted("aiofiles.open"), args=with_commas(args))
        self.fixed(original, "AM301", f"{binding.factory}() -> aiofiles")
        if isinstance(binding.statement, cst.Assign):
            return self.awaited(original, new)
        return new

    def _consumer(
        self, original: cst.Call, updated: cst.Call, action: Consumer
    ) -> cst.BaseExpression:
        args = list(updated.args)
        name = action.name
        if action.kind in (ConsumerKind.JSON_LOAD, ConsumerKind.PICKLE_LOAD):
            args[0] = args[0].with_changes(value=build.awaited_read(name))
            func = self._sibling(original.func, updated.func, action.kind.value + "s")
            return updated.with_changes(func=func, args=args)
        if action.kind is ConsumerKind.CSV_WRITER:
            assert action.buffer is not None
            args[0] = args[0].with_changes(value=cst.Name(action.buffer))
            return updated.with_changes(args=args)
        if action.kind is ConsumerKind.CSV_READER:
            self.need_import("io")
            source = build.lines_source(name, False, action.newline)
            args[0] = args[0].with_changes(value=source)
            return updated.with_changes(args=args)
        if action.kind is ConsumerKind.PRINT:
            return await_expression(build.method_call(name, "write", build.printed_text(updated)))
        # json.dump / pickle.dump: the file is the argument named fp / file, or the second.
        keyword = "fp" if action.kind is ConsumerKind.JSON_DUMP else "file"
        index = next((i for i, a in enumerate(args) if a.keyword and a.keyword.value == keyword), 1)
        dumps = updated.with_changes(
            func=self._sibling(original.func, updated.func, action.kind.value + "s"),
            args=build.without(args, index),
        )
        return await_expression(build.method_call(name, "write", dumps))

    def _sibling(
        self, original: cst.BaseExpression, func: cst.BaseExpression, qualified: str
    ) -> cst.BaseExpression:
        """``json.loads`` written the way ``func`` (``json.load``, ``js.load``) was."""
        if isinstance(func, cst.Attribute):
            return func.with_changes(attr=cst.Name(qualified.rsplit(".", 1)[1]))
        self.drop_import_if_unused(original)
        self.need_import(qualified.split(".")[0])
        return dotted(qualified)

    # -- plain calls: os, os.path, shutil, pathlib, tempfile ---------------------------

    def _plain_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        kind, what = plain_call(self, original)
        if kind is None:
            return updated
        if self.in_generator_expression():
            self.report(
                original,
                "AM319",
                f"{what} in a generator expression inside a coroutine; awaiting it there "
                "would turn the generator into an async generator",
            )
            return updated
        if not self.in_coroutine():
            return updated
        if kind is PlainCall.UNBOUND:
            self.report(
                original,
                "AM313",
                f"{what}() result is not bound by 'with ... as name' or 'name = {what}(...)'; "
                "bind it so that every use can be awaited",
            )
            return updated
        if kind is PlainCall.UNPROVEN:
            self.report(
                original,
                "AM311",
                "Path.open() on what is known as a Path only from an annotation (of a "
                "parameter, or of the function that returns it); aiofiles.open would also "
                "accept a str, so migrate it by hand",
            )
            return updated
        if kind is PlainCall.LAZY:
            self.report(
                original,
                "AM317",
                f"{what} does its blocking I/O while it is iterated; move the whole loop "
                "into a function run with asyncio.to_thread",
            )
            return updated
        module = "aiofiles" if kind is PlainCall.AIOFILES else "asyncio"
        if not self.module_name_free(original, module):
            self.report(
                original, "AM320", f"{what}: the name '{module}' is bound to something else here"
            )
            return updated
        code = "AM306" if kind is PlainCall.THREAD else "AM305"
        if self.suppressed(original, code):
            return updated
        if kind is PlainCall.THREAD:
            self.fixed(original, "AM306", f"{what} -> await asyncio.to_thread")
            return self.offloaded(original, updated)
        self.need_import("aiofiles.os")
        self.drop_import_if_unused(original.func)
        self.fixed(original, "AM305", f"{what} -> await aiofiles.{what}")
        new = updated.with_changes(func=dotted(f"aiofiles.{what}"))
        return self.awaited(original, new)


_LINES_MESSAGE = "line loop over a file -> iterate its content, read with one await"


def _use_code(action: object) -> str:
    """The code a planned use of a file is recorded under ('' for none of its own)."""
    if isinstance(action, AwaitCall):
        return "AM302"
    if isinstance(action, ReadLines):
        return "AM303"
    if isinstance(action, Consumer):
        return "AM304"
    return ""
