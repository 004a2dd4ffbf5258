"""Blocking file I/O in coroutines -> aiofiles, ``aiofiles.os`` and ``asyncio.to_thread``.

The decisions (which file objects can be migrated, and how) are made per coroutine by
:mod:`codemods.files.plan`; this module applies them and handles the plain calls
(``os.*``, ``os.path.*``, ``shutil.*``, ``pathlib.Path`` methods) on its own.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Assignment, ScopeProvider

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.files import build, facts
from codemods.files.plan import (
    AwaitCall,
    Binding,
    Consumer,
    CsvBuffer,
    OpenCall,
    Plan,
    Planner,
    ReadLines,
    Resolver,
)
from codemods.files.spec import SPEC

__all__ = ["FilesCommand"]


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
        plan = Planner(node, self._resolver()).run()
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
        plan = self._check_suppressions(plan)
        self._plan.actions.update(plan.actions)
        self._plan.async_withs |= plan.async_withs
        self._plan.seen_calls |= plan.seen_calls
        for where, code, message in plan.refusals:
            self.report(where, code, message)

    def _resolver(self) -> Resolver:
        return Resolver(
            resolves_to=self.resolves_to,
            parent_of=self.parent_of,
            scope_of=lambda n: self.get_metadata(ScopeProvider, n, None),
            is_path=self._is_constructed_path,
        )

    def _check_names(self, function: cst.FunctionDef, plan: Plan) -> Plan:
        """Drop the whole plan if a module name it needs is taken in this coroutine."""
        if not plan.actions:
            return plan
        needed = {"aiofiles"}
        for action in plan.actions.values():
            if isinstance(action, (ReadLines, CsvBuffer)) or (
                isinstance(action, Consumer) and action.kind.startswith("csv.")
            ):
                needed.add("io")
            elif isinstance(action, Consumer):
                needed.add(action.kind.split(".")[0])
        needed.discard("builtins")
        where = function.body.body[0]
        taken = sorted(m for m in needed if not self.module_name_free(where, m))
        if not taken:
            return plan
        kept = Plan(seen_calls=plan.seen_calls, refusals=list(plan.refusals))
        for action in plan.actions.values():
            if isinstance(action, OpenCall):
                kept.refusals.append(
                    (
                        action.binding.call,
                        "AM320",
                        f"file left unchanged: the name '{taken[0]}' is bound to something "
                        "other than the module in this coroutine",
                    )
                )
        return kept

    def _check_suppressions(self, plan: Plan) -> Plan:
        """Drop the whole plan if one of its files is silenced by a comment: the file
        objects of a coroutine are planned together, so none is half-migrated."""
        silenced = [
            action.binding.call
            for action in plan.actions.values()
            if isinstance(action, OpenCall) and self.suppressed(action.binding.call, "AM301")
        ]
        if not silenced:
            return plan
        kept = Plan(seen_calls=plan.seen_calls, refusals=list(plan.refusals))
        for action in plan.actions.values():
            if isinstance(action, OpenCall) and action.binding.call not in silenced:
                kept.refusals.append(
                    (
                        action.binding.call,
                        "AM321",
                        "file left unchanged: another file in this coroutine is silenced by "
                        "a suppression comment, and they are migrated together",
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
        action = self._plan.actions.get(original_node)
        if isinstance(action, ReadLines):
            self.fixed(original_node, "AM303", _LINES_MESSAGE)
            return updated_node.with_changes(iter=self._lines(action))
        return updated_node

    def leave_CompFor(self, original_node: cst.CompFor, updated_node: cst.CompFor) -> cst.CompFor:
        action = self._plan.actions.get(original_node)
        if isinstance(action, ReadLines):
            self.fixed(original_node, "AM303", _LINES_MESSAGE)
            return updated_node.with_changes(iter=self._lines(action))
        return updated_node

    def _lines(self, action: ReadLines) -> cst.Call:
        self.need_import("io")
        return build.lines_source(action.name, action.binary, action.newline)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        action = self._plan.actions.get(original_node)
        if isinstance(action, OpenCall):
            return self._open(original_node, updated_node, action.binding)
        if isinstance(action, AwaitCall):
            self.fixed(original_node, "AM302", "file method awaited")
            return self.awaited(original_node, updated_node)
        if isinstance(action, Consumer):
            kind = action.kind.replace("builtins.", "")
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
            new = updated.with_changes(func=build.dotted(f"aiofiles.tempfile.{short}"))
        else:
            self.need_import("aiofiles")
            args = list(updated.args)
            if binding.factory == "path.open":
                assert isinstance(updated.func, cst.Attribute)
                args.insert(0, cst.Arg(updated.func.value.with_changes(lpar=[], rpar=[])))
            new = updated.with_changes(
                func=build.dotted("aiofiles.open"), args=build.with_commas(args)
            )
        self.fixed(original, "AM301", f"{binding.factory}() -> aiofiles")
        if isinstance(binding.statement, cst.Assign):
            return self.awaited(original, new)
        return new

    def _consumer(
        self, original: cst.Call, updated: cst.Call, action: Consumer
    ) -> cst.BaseExpression:
        args = list(updated.args)
        name = action.name
        if action.kind in (facts.JSON_LOAD, facts.PICKLE_LOAD):
            args[0] = args[0].with_changes(value=build.awaited_read(name))
            func = self._sibling(original.func, updated.func, action.kind + "s")
            return updated.with_changes(func=func, args=args)
        if action.kind == facts.CSV_WRITER:
            assert action.buffer is not None
            args[0] = args[0].with_changes(value=cst.Name(action.buffer))
            return updated.with_changes(args=args)
        if action.kind == "csv.reader":
            self.need_import("io")
            source = build.lines_source(name, False, action.newline)
            args[0] = args[0].with_changes(value=source)
            return updated.with_changes(args=args)
        if action.kind == facts.PRINT:
            return cst.Await(build.method_call(name, "write", build.printed_text(updated)))
        # json.dump / pickle.dump: the file is the argument named fp / file, or the second.
        keyword = "fp" if action.kind == facts.JSON_DUMP else "file"
        index = next((i for i, a in enumerate(args) if a.keyword and a.keyword.value == keyword), 1)
        dumps = updated.with_changes(
            func=self._sibling(original.func, updated.func, action.kind + "s"),
            args=build.without(args, index),
        )
        return cst.Await(build.method_call(name, "write", dumps))

    def _sibling(
        self, original: cst.BaseExpression, func: cst.BaseExpression, qualified: str
    ) -> cst.BaseExpression:
        """``json.loads`` written the way ``func`` (``json.load``, ``js.load``) was."""
        if isinstance(func, cst.Attribute):
            return func.with_changes(attr=cst.Name(qualified.rsplit(".", 1)[1]))
        self.drop_import_if_unused(original)
        self.need_import(qualified.split(".")[0])
        return build.dotted(qualified)

    # -- plain calls: os, os.path, shutil, pathlib, tempfile ---------------------------

    def _plain_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        kind, what = self._plain_kind(original)
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
        if kind == "unbound":
            self.report(
                original,
                "AM313",
                f"{what}() result is not bound by 'with ... as name' or 'name = {what}(...)'; "
                "bind it so that every use can be awaited",
            )
            return updated
        if kind == "unproven":
            self.report(
                original,
                "AM311",
                "Path.open() on a name known as a Path only from an annotation; aiofiles.open "
                "would also accept a str, so migrate it by hand",
            )
            return updated
        if kind == "lazy":
            self.report(
                original,
                "AM317",
                f"{what} does its blocking I/O while it is iterated; move the whole loop "
                "into a function run with asyncio.to_thread",
            )
            return updated
        module = "aiofiles" if kind in ("os", "os.path") else "asyncio"
        if not self.module_name_free(original, module):
            self.report(
                original, "AM320", f"{what}: the name '{module}' is bound to something else here"
            )
            return updated
        code = "AM306" if kind == "thread" else "AM305"
        if self.suppressed(original, code):
            return updated
        if kind == "thread":
            self.fixed(original, "AM306", f"{what} -> await asyncio.to_thread")
            return self.offloaded(original, updated)
        self.need_import("aiofiles.os")
        self.drop_import_if_unused(original.func)
        self.fixed(original, "AM305", f"{what} -> await aiofiles.{what}")
        new = updated.with_changes(func=build.dotted(f"aiofiles.{what}"))
        return self.awaited(original, new)

    def _plain_kind(self, call: cst.Call) -> tuple[str | None, str]:
        func = call.func
        name = self.resolves_to(func, facts.OPEN | set(facts.TEMPFILE))
        if name:
            return "unbound", name.replace("builtins.", "")
        name = self.resolves_to(func, facts.AIOFILES_OS | facts.AIOFILES_OS_PATH)
        if name:
            return ("os.path" if name.startswith("os.path.") else "os"), name
        name = self.resolves_to(func, facts.TO_THREAD)
        if name:
            return "thread", name
        name = self.resolves_to(func, facts.LAZY)
        if name:
            return "lazy", name
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in facts.PATH_TO_THREAD | facts.PATH_LAZY | {"open"}:
                if self._is_path(func.value, allow_parameters=True):
                    if method == "open":
                        if self._is_constructed_path(func.value):
                            return "unbound", "Path.open"
                        return "unproven", "Path.open"
                    if method in facts.PATH_LAZY:
                        return "lazy", f"Path.{method}"
                    return "thread", f"Path.{method}"
        return None, ""

    # -- proving an expression is a pathlib.Path ------------------------------------------

    def _is_constructed_path(self, expr: cst.BaseExpression) -> bool:
        return self._is_path(expr, allow_parameters=False)

    def _is_path(self, expr: cst.BaseExpression, allow_parameters: bool, depth: int = 0) -> bool:
        if depth > 4:
            return False
        if isinstance(expr, cst.Call):
            func = expr.func
            if self.resolves_to(func, facts.PATH_CLASSES):
                return True
            return (
                isinstance(func, cst.Attribute)
                and func.attr.value in facts.PATH_CONSTRUCTORS
                and self.resolves_to(func.value, facts.PATH_CLASSES) is not None
            )
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return self._is_path(expr.left, allow_parameters, depth + 1)
        if isinstance(expr, cst.Name):
            return self._name_is_path(expr, allow_parameters, depth)
        return False

    def _name_is_path(self, name: cst.Name, allow_parameters: bool, depth: int) -> bool:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return False
        assignments = scope[name.value]
        if not assignments:
            return False
        for assignment in assignments:
            if not isinstance(assignment, Assignment):
                return False
            node = assignment.node
            if isinstance(node, cst.Param):
                annotation = node.annotation
                if not (
                    allow_parameters
                    and annotation is not None
                    and self.resolves_to(annotation.annotation, facts.PATH_CLASSES)
                ):
                    return False
                continue
            target = self.parent_of(node)
            statement = self.parent_of(target) if target is not None else None
            if not (
                isinstance(target, cst.AssignTarget)
                and isinstance(statement, cst.Assign)
                and len(statement.targets) == 1
                and self._is_path(statement.value, allow_parameters, depth + 1)
            ):
                return False
        return True


_LINES_MESSAGE = "line loop over a file -> iterate its content, read with one await"
