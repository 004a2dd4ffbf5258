"""Blocking SQL drivers in coroutines -> their asyncio twins: sqlite3 -> aiosqlite,
psycopg2 -> psycopg 3's ``AsyncConnection``, pymysql -> aiomysql.

The decisions (which connections can be migrated, and how) are made per coroutine by
:mod:`codemods.db.plan`; this module applies them while leaving the tree.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import PositionProvider

from codemods.core.base import AsyncCodemod
from codemods.core.build import code_of
from codemods.db import actions as a
from codemods.db import build
from codemods.db.drivers import PSYCOPG2, Driver
from codemods.db.plan import Planner
from codemods.db.spec import SPEC

__all__ = ["DbCommand"]


class DbCommand(AsyncCodemod):
    """Migrate sqlite3, psycopg2 and pymysql connections used only inside a coroutine to
    aiosqlite, psycopg 3 and aiomysql."""

    SPEC = SPEC

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._plan = a.Plan()
        #: Original connect call -> what it became (the header of a wrap needs it).
        self._calls: dict[cst.Call, cst.BaseExpression] = {}
        #: Original ``with`` -> the statement to put before it (``conn = await ...``).
        self._before: dict[cst.CSTNode, cst.SimpleStatementLine] = {}
        self._taken: set[str] | None = None

    # -- planning ---------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        plan = Planner(node, self).run()
        self._plan.actions.update(plan.actions)
        self._plan.wraps.extend(plan.wraps)
        for where, code, message in plan.refusals:
            self.report(where, code, message)
        for module, name in sorted(plan.imports, key=str):
            self.need_import(module, name)
        for reference in plan.dropped:
            self.drop_import_if_unused(reference)

    # -- calls --------------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        action = self._plan.actions.get(original_node)
        if isinstance(action, a.Connect):
            new = self._connect(action.driver, original_node, updated_node)
            new = self._fitted(original_node, new, action.awaited)
            result: cst.BaseExpression = new
            if action.awaited:
                result = self.awaited(original_node, new)
            self.fixed(
                original_node,
                action.driver.code,
                f"{action.driver.name}.connect() -> {action.driver.async_connect}()",
            )
            self._calls[original_node] = result
            return result
        if isinstance(action, a.Await):
            func = updated_node.func
            if action.rename is not None:
                assert isinstance(func, cst.Attribute)
                func = func.with_changes(attr=cst.Name(action.rename))
            self.fixed(original_node, action.code, f"{_shown(original_node.func)}() awaited")
            return self.awaited(original_node, updated_node.with_changes(func=func))
        if isinstance(action, a.Cursor):
            new = updated_node.with_changes(
                args=self._cursor_args(action.driver, original_node, updated_node)
            )
            self.fixed(original_node, action.driver.code, f"{_shown(original_node.func)}()")
            return self.awaited(original_node, new) if action.awaited else new
        return updated_node

    def _connect(self, driver: Driver, original: cst.Call, call: cst.Call) -> cst.Call:
        args: list[cst.Arg] = []
        for index, (before, arg) in enumerate(zip(original.args, call.args, strict=True)):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None and index > 0:
                keyword = driver.positional[index]
            if keyword is None:
                args.append(arg)
                continue
            if keyword in driver.cursor_class_keywords:
                args.append(self._cursor_class_arg(driver, before, arg))
                continue
            args.append(build.keyword(arg, driver.keywords.get(keyword, keyword)))
        if driver is PSYCOPG2:
            # psycopg2 binds parameters on the client; so does this cursor class.
            args.append(build.kwarg("cursor_factory", build.dotted("psycopg.AsyncClientCursor")))
        return call.with_changes(
            func=build.dotted(driver.async_connect), args=build.with_commas(args)
        )

    def _fitted(self, original: cst.Call, new: cst.Call, awaited: bool) -> cst.Call:
        """``new`` one argument per line when its line would grow past the line length
        (as black would write it); a call already written on several lines is kept."""
        if "\n" in build.code_of(original) or not new.args:
            return new
        width = self.get_metadata(PositionProvider, original).start.column
        width += len(build.code_of(new)) + (len("await ") if awaited else 0)
        item = self.parent_of(original)
        if isinstance(item, cst.WithItem) and item.asname is not None:
            width += len("async ") + len(build.code_of(item.asname)) + len(" :")
        return new if width <= build.LINE_LENGTH else build.explode(new)

    def _cursor_args(self, driver: Driver, original: cst.Call, call: cst.Call) -> list[cst.Arg]:
        args = []
        for before, arg in zip(original.args, call.args, strict=True):
            if arg.keyword is None or arg.keyword.value in driver.cursor_class_keywords:
                args.append(self._cursor_class_arg(driver, before, arg))
            else:
                args.append(arg)
        return build.with_commas(args)

    def _cursor_class_arg(self, driver: Driver, original: cst.Arg, arg: cst.Arg) -> cst.Arg:
        """``cursor_factory=RealDictCursor`` -> ``row_factory=dict_row``;
        ``pymysql.cursors.DictCursor`` -> ``aiomysql.DictCursor``."""
        names = self.qualified_names(original.value)
        twin = next(driver.cursor_classes[n] for n in sorted(names) if n in driver.cursor_classes)
        if twin.startswith("psycopg.rows."):
            value: cst.BaseExpression = cst.Name(twin.rsplit(".", 1)[1])
            return build.keyword(arg.with_changes(value=value), "row_factory")
        return arg.with_changes(value=build.dotted(twin))

    # -- names: exception classes, e.pgcode ---------------------------------------------

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self._renamed(original_node, updated_node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self._renamed(original_node, updated_node)

    def _renamed(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        action = self._plan.actions.get(original)
        if not isinstance(action, a.Rename):
            return updated
        self.fixed(original, action.code, f"{_shown(original)} -> {action.dotted}")
        return build.dotted(action.dotted).with_changes(
            lpar=getattr(updated, "lpar", ()), rpar=getattr(updated, "rpar", ())
        )

    # -- statements ---------------------------------------------------------------------

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        action = self._plan.actions.get(original_node)
        if isinstance(action, a.AsyncFor):
            self.fixed(original_node, action.code, "loop over a cursor -> async for")
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    def leave_CompFor(self, original_node: cst.CompFor, updated_node: cst.CompFor) -> cst.CompFor:
        action = self._plan.actions.get(original_node)
        if isinstance(action, a.AsyncFor):
            self.fixed(original_node, action.code, "comprehension over a cursor -> async for")
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.BaseSmallStatement:
        action = self._plan.actions.get(original_node)
        if not isinstance(action, a.SetAutocommit):
            return updated_node
        target = updated_node.targets[0].target
        assert isinstance(target, cst.Attribute)
        self.fixed(original_node, action.code, "autocommit = ... -> await set_autocommit(...)")
        call = cst.Call(
            func=target.with_changes(attr=cst.Name("set_autocommit")),
            args=[cst.Arg(updated_node.value)],
        )
        return cst.Expr(cst.Await(call))

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.BaseStatement:
        action = self._plan.actions.get(original_node)
        if isinstance(action, a.AsyncWith):
            self.fixed(original_node, action.code, "with -> async with")
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        if isinstance(action, a.Transaction):
            self.fixed(
                original_node,
                action.code,
                f"with {action.name}: -> explicit commit / rollback (the connection stays open)",
            )
            if action.connect is not None:
                item = updated_node.items[0].item
                self._before[original_node] = build.assignment(action.name, item)
            return build.transaction(updated_node, action.name, self._fresh)
        if isinstance(action, a.CommitAtEnd):
            self.fixed(
                original_node,
                action.code,
                f"commit at the end of the 'with' block of {action.name}",
            )
            return build.commit_at_end(updated_node, action.name, self._fresh)
        return updated_node

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        wraps = [w for w in self._plan.wraps if w.block is original_node]
        inserted = any(s in self._before for s in original_node.body)
        if not wraps and not inserted:
            return updated_node
        originals: Sequence[cst.BaseStatement] = original_node.body
        updated: list[cst.BaseStatement] = list(updated_node.body)
        assert len(originals) == len(updated)
        for wrap in wraps:
            self.fixed(
                wrap.connect,
                wrap.code,
                f"'{wrap.name}' closed after its last use: async with",
            )
        body = build.wrapped(
            list(zip(originals, updated, strict=True)),
            [(w.first, w.last, w.name, self._calls[w.connect], w.drop_first) for w in wraps],
            self._before,
        )
        return updated_node.with_changes(body=body)

    # -- helpers ---------------------------------------------------------------------------

    def _fresh(self, base: str) -> str:
        """A name no identifier of the module uses yet (``result``, ``result2``, ...)."""
        if self._taken is None:
            self._taken = self.module_identifiers(self.module)
        number = 1
        while True:
            name = base if number == 1 else f"{base}{number}"
            if name not in self._taken:
                self._taken.add(name)
                return name
            number += 1


def _shown(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Attribute) and not isinstance(node.value, (cst.Name, cst.Attribute)):
        return node.attr.value
    text = code_of(node)
    return text if len(text) <= 40 else text[:37] + "..."
