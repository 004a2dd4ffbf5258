"""Decide, for one coroutine, which database connections can be migrated and how.

A connection is migrated only when *every* use of it and of its cursors in the
coroutine has a faithful async form; otherwise none is touched and the reason is
reported at the call that opened it. Connections and cursors are tracked by name: a
name bound to a connection (``conn = sqlite3.connect(p)``, ``with psycopg2.connect(d) as
conn:``) must be bound to nothing else, and every use of it must be one the driver
tables of :mod:`codemods.db.drivers` model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import Access, Assignment, FunctionScope

from codemods.core.base import LOCKED_REASON, dotted_name
from codemods.core.lookups import Lookups
from codemods.core.navigation import encloses
from codemods.core.problems import Refused
from codemods.db import actions as a
from codemods.db.drivers import (
    CLOSE,
    CONNECTS,
    DRIVERS,
    PSYCOPG2,
    REPORTED,
    Driver,
    async_exception,
    is_driver_exception,
)


class Silenced(Exception):
    """The connection's own opening call is silenced by a suppression comment."""


ESCAPES = "AM710"
NOT_MODELLED = "AM711"
ARGUMENTS = "AM712"
QUERY = "AM713"
STRUCTURE = "AM714"
REBOUND = "AM715"
EXCEPTIONS = "AM716"
NAMES = "AM717"
HELD = "AM718"
UNTRACKED = "AM719"
REPORTED_CODE = "AM720"

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)
_EXITS = (cst.Return, cst.Break, cst.Continue)
_IN_TUPLE = re.compile(r"(?i)\bin\s*%(\(\w+\))?s")


@dataclass(frozen=True)
class Binding:
    """Where a connection is opened: ``name = <connect>(...)`` or ``with <connect>(...)
    as name:``."""

    call: cst.Call
    statement: cst.Assign | cst.With
    name: str
    driver: Driver


@dataclass
class Group:
    """One connection name of a coroutine, its bindings, its cursors, and the actions
    that migrate them."""

    name: str
    driver: Driver
    bindings: list[Binding]
    actions: dict[cst.CSTNode, a.Action] = field(default_factory=dict)
    wraps: list[a.Wrap] = field(default_factory=list)
    imports: set[tuple[str, str | None]] = field(default_factory=set)
    dropped: list[cst.CSTNode] = field(default_factory=list)
    #: Every node a use touches (for the thread-lock and suppression checks).
    nodes: list[cst.CSTNode] = field(default_factory=list)
    cursors: set[str] = field(default_factory=set)
    closes: list[cst.Call] = field(default_factory=list)


class Planner:
    """Plans one ``async def`` from the original tree, through ``lookups``."""

    def __init__(self, function: cst.FunctionDef, lookups: Lookups) -> None:
        self.function = function
        self.lookups = lookups
        self.plan = a.Plan()
        #: Connection names left unchanged, by driver name.
        self.refused: dict[str, set[str]] = {}

    # -- entry --------------------------------------------------------------------

    def run(self) -> a.Plan:
        scope = self._scope()
        if scope is None:
            return self.plan
        groups: dict[str, Group] = {}
        for call, driver in self._connect_calls():
            binding = self._binding(call, driver)
            if binding is None:
                continue
            group = groups.setdefault(binding.name, Group(binding.name, driver, []))
            group.bindings.append(binding)
        accepted: list[Group] = []
        for group in groups.values():
            try:
                self._plan_group(group, scope)
                self._check_held(group)
            except Refused as e:
                self._refuse(group, e)
                continue
            except Silenced:
                self.refused.setdefault(group.driver.name, set()).add(group.name)
                continue
            accepted.append(group)
        accepted = self._plan_exceptions(accepted)
        for group in accepted:
            self._emit(group)
        return self.plan

    def _scope(self) -> FunctionScope | None:
        body = self.function.body
        first = body.body[0] if isinstance(body, cst.IndentedBlock) and body.body else None
        scope = self.lookups.scope_of(first) if first is not None else None
        return scope if isinstance(scope, FunctionScope) else None

    def _refuse(self, group: Group, error: Refused) -> None:
        self.refused.setdefault(group.driver.name, set()).add(group.name)
        for binding in group.bindings:
            self.plan.refusals.append(
                (
                    binding.call,
                    error.code,
                    f"{group.driver.name} connection '{group.name}' left unchanged: {error.reason}",
                )
            )

    # -- finding connections ------------------------------------------------------

    def _connect_calls(self) -> Iterator[tuple[cst.Call, Driver]]:
        for node in _own_nodes(self.function.body):
            if not isinstance(node, cst.Call):
                continue
            reported = self.lookups.resolves_to(node.func, REPORTED)
            if reported is not None:
                self.plan.refusals.append((node, REPORTED_CODE, REPORTED[reported]))
                continue
            name = self.lookups.resolves_to(node.func, CONNECTS)
            if name is None:
                continue
            driver = next(d for d in DRIVERS if name in d.connects)
            yield node, driver

    def _binding(self, call: cst.Call, driver: Driver) -> Binding | None:
        parent = self.lookups.parent_of(call)
        where = self._where(call)
        if where is not None:
            self.plan.refusals.append(
                (call, UNTRACKED, f"{driver.name}.connect() {where}; migrate it by hand")
            )
            return None
        if isinstance(parent, cst.Assign) and parent.value is call:
            target = parent.targets[0].target if len(parent.targets) == 1 else None
            if isinstance(target, cst.Name) and isinstance(
                self.lookups.parent_of(parent), cst.SimpleStatementLine
            ):
                return Binding(call, parent, target.value, driver)
        if isinstance(parent, cst.WithItem) and parent.item is call:
            statement = self.lookups.parent_of(parent)
            if (
                isinstance(statement, cst.With)
                and statement.asynchronous is None
                and parent.asname is not None
                and isinstance(parent.asname.name, cst.Name)
            ):
                return Binding(call, statement, parent.asname.name.value, driver)
        if isinstance(parent, (cst.Return, cst.Yield)):
            reason = "the connection is returned or yielded: its callers use it synchronously"
            self.plan.refusals.append((call, ESCAPES, f"{driver.name}.connect(): {reason}"))
            return None
        self.plan.refusals.append(
            (
                call,
                UNTRACKED,
                f"{driver.name}.connect() not bound by 'name = ...' or 'with ... as name'; "
                "bind it to a name so that every use can be migrated",
            )
        )
        return None

    def _where(self, node: cst.CSTNode) -> str | None:
        """Why ``node`` (in the coroutine) cannot be awaited where it stands, or None."""
        child, current = node, self.lookups.parent_of(node)
        while current is not None and current is not self.function:
            if isinstance(current, cst.GeneratorExp) and child is not current.for_in:
                return "in a generator expression"
            if isinstance(current, cst.CompFor) and child is not current.iter:
                owner = self.lookups.parent_of(current)
                if not (isinstance(owner, _COMPREHENSIONS) and owner.for_in is current):
                    return "in a nested comprehension"
            if isinstance(current, _COMPREHENSIONS) and child is not current.for_in:
                return "in a comprehension"
            child, current = current, self.lookups.parent_of(current)
        return None

    # -- one connection -------------------------------------------------------------

    def _plan_group(self, group: Group, scope: FunctionScope) -> None:
        driver = group.driver
        if len({b.driver.name for b in group.bindings}) > 1:
            raise Refused(REBOUND, f"'{group.name}' is bound to connections of two drivers")
        for binding in group.bindings:
            self._check_arguments(group, binding)
        targets = {self._target(b): b for b in group.bindings}
        assignments = list(scope.assignments[group.name])
        if len(assignments) != len(targets) or any(
            not isinstance(x, Assignment) or x.node not in targets for x in assignments
        ):
            raise Refused(REBOUND, f"'{group.name}' is also bound to something else")
        self._check_module_names(group)
        for access in self._accesses(scope, group.name):
            self._connection_use(group, access, scope)
        planned: set[str] = set()
        while group.cursors - planned:
            name = min(group.cursors - planned)
            planned.add(name)
            self._plan_cursor(group, name, scope)
        self._plan_lifetime(group, scope)
        for binding in group.bindings:
            group.nodes.append(binding.call)
            group.dropped.append(binding.call.func)
            if binding.call not in group.actions:
                group.actions[binding.call] = a.Connect(driver)
        group.imports.add((driver.target, None))

    def _target(self, binding: Binding) -> cst.CSTNode:
        if isinstance(binding.statement, cst.Assign):
            return binding.statement.targets[0].target
        for item in binding.statement.items:
            if item.item is binding.call and item.asname is not None:
                return item.asname.name
        raise AssertionError("a with binding has a target")

    def _check_module_names(self, group: Group) -> None:
        where = group.bindings[0].call
        if not self.lookups.module_name_free(where, group.driver.target):
            raise Refused(
                NAMES,
                f"the name '{group.driver.target}' is bound to something other than the "
                "module here",
            )

    # -- connect arguments ------------------------------------------------------------

    def _check_arguments(self, group: Group, binding: Binding) -> None:
        driver = binding.driver
        positional = 0
        for arg in binding.call.args:
            if arg.star:
                raise Refused(
                    ARGUMENTS,
                    f"{driver.name}.connect() with {arg.star}-arguments: their names cannot "
                    "be checked against the async driver's",
                )
            if arg.keyword is None:
                if positional >= len(driver.positional):
                    raise Refused(
                        ARGUMENTS,
                        f"{driver.name}.connect() with more positional arguments than it takes",
                    )
                positional += 1
                continue
            key = arg.keyword.value
            if key in driver.cursor_class_keywords:
                twin = self._cursor_class(driver, arg.value)
                group.dropped.append(arg.value)
                if twin.startswith("psycopg.rows."):
                    self._need_row_factory(group, binding.call, twin)
            elif key not in driver.keywords and driver is not PSYCOPG2:
                raise Refused(
                    ARGUMENTS,
                    f"{driver.name}.connect(..., {key}=...) has no {driver.target} equivalent",
                )
            elif driver is PSYCOPG2 and key in ("connection_factory", "async", "async_"):
                raise Refused(
                    ARGUMENTS, f"psycopg2.connect(..., {key}=...) has no psycopg 3 equivalent"
                )

    def _cursor_class(self, driver: Driver, value: cst.BaseExpression) -> str:
        """The async driver's twin of the cursor class ``value`` names."""
        name = self.lookups.resolves_to(value, set(driver.cursor_classes))
        if name is None:
            shown = dotted_name(value) or "this cursor class"
            raise Refused(
                ARGUMENTS, f"{shown} has no faithful {driver.target} twin known to the codemod"
            )
        return driver.cursor_classes[name]

    # -- uses of the connection ---------------------------------------------------------

    def _connection_use(self, group: Group, access: Access, scope: FunctionScope) -> None:
        node = access.node
        if not isinstance(node, cst.Name):
            raise Refused(ESCAPES, f"'{group.name}' is used in {_describe(node)}")
        self._same_scope(group.name, access, scope)
        parent = self.lookups.parent_of(node)
        line = self._line(node)
        driver = group.driver
        if self._is_binding_target(group, node):
            return
        if isinstance(parent, cst.Attribute) and parent.value is node:
            self._connection_member(group, parent, line)
            return
        if isinstance(parent, cst.WithItem) and parent.item is node:
            statement = self.lookups.parent_of(parent)
            assert isinstance(statement, cst.With)
            if statement.asynchronous is not None:
                raise Refused(NOT_MODELLED, f"'async with {group.name}' (line {line})")
            if len(statement.items) > 1 or parent.asname is not None:
                raise Refused(
                    STRUCTURE,
                    f"'with {group.name}' (line {line}) also enters something else or binds a name",
                )
            group.nodes.append(statement)
            if driver.with_connection == CLOSE:
                group.actions[statement] = a.AsyncWith(driver.code)
                return
            self._check_exits(statement, group.name, line)
            group.actions[statement] = a.Transaction(driver.code, group.name)
            return
        raise Refused(ESCAPES, f"'{group.name}' {_escape(parent)} (line {line})")

    def _is_binding_target(self, group: Group, node: cst.Name) -> bool:
        return any(self._target(b) is node for b in group.bindings)

    def _connection_member(self, group: Group, attribute: cst.Attribute, line: int) -> None:
        driver = group.driver
        member = attribute.attr.value
        holder = self.lookups.parent_of(attribute)
        shown = f"{group.name}.{member}"
        if isinstance(holder, cst.Call) and holder.func is attribute:
            group.nodes.append(holder)
            if member == "cursor":
                self._cursor_call(group, holder, line)
                return
            if member in driver.connection_awaited or member in driver.connection_renamed:
                if member == "close":
                    group.closes.append(holder)
                group.actions[holder] = a.Await(driver.code, driver.connection_renamed.get(member))
                if member in driver.returns_cursor:
                    self._cursor_value(group, holder, line)
                return
            if member in driver.connection_unchanged:
                return
            raise Refused(NOT_MODELLED, self._unsupported(driver, member, f"{shown}()", line))
        if _is_store(holder, attribute):
            statement = self.lookups.parent_of(holder)
            if (
                driver is PSYCOPG2
                and member == "autocommit"
                and isinstance(holder, cst.AssignTarget)
                and isinstance(statement, cst.Assign)
                and len(statement.targets) == 1
            ):
                group.nodes.append(statement)
                group.actions[statement] = a.SetAutocommit(driver.code)
                return
            if member in driver.connection_settable:
                return
            raise Refused(NOT_MODELLED, self._unsupported(driver, member, f"setting {shown}", line))
        if member in driver.connection_unchanged:
            return
        raise Refused(NOT_MODELLED, self._unsupported(driver, member, shown, line))

    def _unsupported(self, driver: Driver, member: str, shown: str, line: int) -> str:
        if shown.startswith("setting "):
            shown = f"setting '{shown.removeprefix('setting ')}'"
        else:
            shown = f"'{shown}'"
        reason = driver.unsupported.get(member)
        if reason:
            return f"{shown} (line {line}): {reason}"
        return f"{shown} (line {line}) has no faithful {driver.target} form known to the codemod"

    # -- cursors ----------------------------------------------------------------------------

    def _cursor_call(self, group: Group, call: cst.Call, line: int) -> None:
        """``conn.cursor(...)``: bound to a name, or entered by ``with ... as name``."""
        driver = group.driver
        self._cursor_arguments(group, call, line)
        parent = self.lookups.parent_of(call)
        if isinstance(parent, cst.Assign) and parent.value is call:
            name = self._single_name(parent)
            if name is not None:
                group.cursors.add(name)
                group.actions[call] = a.Cursor(driver, driver.cursor_awaited)
                return
        if isinstance(parent, cst.WithItem) and parent.item is call:
            statement = self.lookups.parent_of(parent)
            assert isinstance(statement, cst.With)
            if not driver.cursor_with:
                raise Refused(
                    NOT_MODELLED,
                    f"'with {group.name}.cursor()' (line {line}): {driver.name} cursors are "
                    "not context managers",
                )
            if len(statement.items) > 1 or statement.asynchronous is not None:
                raise Refused(
                    STRUCTURE,
                    f"the 'with' of line {line} also enters something else; 'async with' "
                    "cannot enter it",
                )
            if parent.asname is not None:
                if not isinstance(parent.asname.name, cst.Name):
                    raise Refused(
                        NOT_MODELLED, f"a cursor bound to a target that is not a name (line {line})"
                    )
                group.cursors.add(parent.asname.name.value)
            group.actions[call] = a.Cursor(driver, False)
            group.actions[statement] = a.AsyncWith(driver.code)
            group.nodes.append(statement)
            return
        raise Refused(
            NOT_MODELLED,
            f"a cursor of '{group.name}' not bound to a name (line {line}); bind it with "
            "'cur = ...' or 'with ... as cur'",
        )

    def _cursor_arguments(self, group: Group, call: cst.Call, line: int) -> None:
        driver = group.driver
        for index, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if arg.star:
                raise Refused(NOT_MODELLED, f"cursor() with {arg.star}-arguments (line {line})")
            if driver.name == "pymysql" and keyword is None and index == 0:
                self._cursor_class(driver, arg.value)
                group.dropped.append(arg.value)
                continue
            if keyword in driver.cursor_class_keywords:
                twin = self._cursor_class(driver, arg.value)
                group.dropped.append(arg.value)
                if twin.startswith("psycopg.rows."):
                    self._need_row_factory(group, call, twin)
                continue
            raise Refused(
                NOT_MODELLED,
                f"'{group.name}.cursor()' with arguments the codemod does not carry over "
                f"(line {line}): named or custom cursors",
            )

    def _need_row_factory(self, group: Group, where: cst.CSTNode, twin: str) -> None:
        module, _, name = twin.rpartition(".")
        if not self._free_for_import(where, name, module):
            raise Refused(NAMES, f"the name '{name}' is bound to something else here")
        group.imports.add((module, name))

    def _free_for_import(self, node: cst.CSTNode, name: str, module: str) -> bool:
        """``name`` is unbound where ``node`` is, or bound by ``from module import name``."""
        scope = self.lookups.scope_of(node)
        if scope is None or self.lookups.bound_where_left_out(name):
            return False
        for assignment in scope[name]:
            statement = getattr(assignment, "node", None)
            if not (
                isinstance(statement, cst.ImportFrom)
                and statement.module is not None
                and dotted_name(statement.module) == module
                and statement.relative == ()
            ):
                return False
        return True

    def _single_name(self, assign: cst.Assign) -> str | None:
        if len(assign.targets) != 1:
            return None
        target = assign.targets[0].target
        if not isinstance(target, cst.Name):
            return None
        if not isinstance(self.lookups.parent_of(assign), cst.SimpleStatementLine):
            return None
        return target.value

    def _plan_cursor(self, group: Group, name: str, scope: FunctionScope) -> None:
        if name == group.name:
            raise Refused(REBOUND, f"'{name}' is bound to a connection and to a cursor")
        for assignment in scope.assignments[name]:
            node = getattr(assignment, "node", None)
            if not (isinstance(assignment, Assignment) and self._is_cursor_target(group, node)):
                raise Refused(REBOUND, f"the cursor name '{name}' is also bound to something else")
        if not scope.assignments[name]:
            raise Refused(REBOUND, f"the cursor name '{name}' is declared global or nonlocal")
        for access in self._accesses(scope, name):
            node = access.node
            if not isinstance(node, cst.Name):
                raise Refused(ESCAPES, f"the cursor '{name}' is used in {_describe(node)}")
            self._same_scope(name, access, scope)
            self._cursor_value(group, node, self._line(node), name)

    def _is_cursor_target(self, group: Group, node: cst.CSTNode | None) -> bool:
        """``node`` is the target of ``name = conn.cursor()``/``conn.execute(...)`` or of
        ``with conn.cursor() as name`` for this group's connection."""
        parent = self.lookups.parent_of(node) if node is not None else None
        if isinstance(parent, cst.AssignTarget):
            value = self.lookups.parent_of(parent)
            call = value.value if isinstance(value, cst.Assign) else None
        elif isinstance(parent, cst.AsName):
            item = self.lookups.parent_of(parent)
            call = item.item if isinstance(item, cst.WithItem) else None
        else:
            return False
        return call in group.actions and isinstance(group.actions[call], (a.Cursor, a.Await))

    def _cursor_value(
        self, group: Group, node: cst.BaseExpression, line: int, name: str | None = None
    ) -> None:
        """A use of a cursor: a cursor name, or a call returning one (sqlite3's
        ``conn.execute(...)``)."""
        driver = group.driver
        shown = name or "the cursor"
        parent = self.lookups.parent_of(node)
        if name is not None and isinstance(parent, (cst.AssignTarget, cst.AsName)):
            return  # its binding
        if name is None and isinstance(parent, cst.Assign) and parent.value is node:
            target = self._single_name(parent)
            if target is not None:
                group.cursors.add(target)
                return
        if name is None and isinstance(parent, cst.Expr):
            return
        if isinstance(parent, cst.Attribute) and parent.value is node:
            self._cursor_member(group, parent, shown, line)
            return
        if isinstance(parent, cst.For) and parent.iter is node and parent.asynchronous is None:
            group.actions[parent] = a.AsyncFor(driver.code)
            group.nodes.append(parent)
            return
        if isinstance(parent, cst.CompFor) and parent.iter is node and parent.asynchronous is None:
            owner = self.lookups.parent_of(parent)
            if isinstance(owner, _COMPREHENSIONS) and owner.for_in is parent:
                group.actions[parent] = a.AsyncFor(driver.code)
                group.nodes.append(parent)
                return
            raise Refused(
                ESCAPES,
                f"{shown} is iterated in a generator expression (line {line}); "
                "'async for' there would make it an async generator",
            )
        if name is not None and isinstance(parent, cst.WithItem) and parent.item is node:
            statement = self.lookups.parent_of(parent)
            if (
                driver.cursor_with
                and isinstance(statement, cst.With)
                and statement.asynchronous is None
                and len(statement.items) == 1
                and parent.asname is None
            ):
                group.actions[statement] = a.AsyncWith(driver.code)
                group.nodes.append(statement)
                return
            raise Refused(NOT_MODELLED, f"'with {shown}' (line {line})")
        self._extras(group, parent, shown, line)
        raise Refused(ESCAPES, f"{shown} {_escape(parent)} (line {line})")

    def _extras(self, group: Group, parent: cst.CSTNode | None, shown: str, line: int) -> None:
        """A cursor passed to one of psycopg2.extras' helpers: say which."""
        call = self.lookups.parent_of(parent) if isinstance(parent, cst.Arg) else None
        if not isinstance(call, cst.Call):
            return
        for name in self.lookups.qualified_names(call.func):
            if name.startswith(f"{group.driver.name}.extras."):
                raise Refused(
                    NOT_MODELLED,
                    f"{shown} is passed to {name}() (line {line}), which has no "
                    f"{group.driver.target} twin; use executemany or a plain query",
                )

    def _cursor_member(self, group: Group, attribute: cst.Attribute, shown: str, line: int) -> None:
        driver = group.driver
        member = attribute.attr.value
        holder = self.lookups.parent_of(attribute)
        what = f"{shown}.{member}"
        if isinstance(holder, cst.Call) and holder.func is attribute:
            group.nodes.append(holder)
            if member in driver.cursor_methods:
                group.actions[holder] = a.Await(driver.code)
                if member in ("execute", "executemany"):
                    self._check_query(driver, holder, line)
                    if driver.execute_result_differs and not isinstance(
                        self.lookups.parent_of(holder), cst.Expr
                    ):
                        raise Refused(
                            NOT_MODELLED,
                            f"the value of '{what}()' is used (line {line}): None in "
                            f"{driver.name}, the cursor in {driver.target}",
                        )
                if member in driver.returns_cursor:
                    self._cursor_value(group, holder, line)
                return
            if member in driver.cursor_unchanged:
                return
            raise Refused(NOT_MODELLED, self._unsupported(driver, member, what + "()", line))
        if _is_store(holder, attribute):
            if member in driver.cursor_settable:
                return
            raise Refused(NOT_MODELLED, self._unsupported(driver, member, f"setting {what}", line))
        if member in driver.cursor_unchanged:
            return
        raise Refused(NOT_MODELLED, self._unsupported(driver, member, what, line))

    def _check_query(self, driver: Driver, call: cst.Call, line: int) -> None:
        """psycopg 3 runs a few queries differently from psycopg2 even with client-side
        binding: refuse those whose text is a literal here."""
        if driver is not PSYCOPG2 or not call.args:
            return
        query = call.args[0].value
        text = query.evaluated_value if isinstance(query, cst.SimpleString) else None
        if isinstance(query, cst.ConcatenatedString):
            text = query.evaluated_value if isinstance(query.evaluated_value, str) else None
        if not isinstance(text, str):
            return
        if len(call.args) > 1 and _IN_TUPLE.search(text):
            raise Refused(
                QUERY,
                f"'IN %s' (line {line}): psycopg 3 adapts a tuple as one value, so the query "
                "fails; use '= ANY(%s)' with a list",
            )
        if len([s for s in _statements_of(text) if s.strip()]) > 1:
            raise Refused(
                QUERY,
                f"several statements in one execute (line {line}): psycopg 3 leaves the "
                "cursor on the first one's result, psycopg2 on the last one's; split it",
            )

    # -- where the connection opens, commits and closes ------------------------------------

    def _plan_lifetime(self, group: Group, scope: FunctionScope) -> None:
        driver = group.driver
        for binding in group.bindings:
            statement = binding.statement
            if not isinstance(statement, cst.With):
                if driver.needs_close and not group.closes:
                    self._wrap_assignment(group, binding, scope)
                continue
            line = self._line(statement)
            if len(statement.items) > 1:
                raise Refused(
                    STRUCTURE,
                    f"the 'with' of line {line} also enters something else; 'async with' "
                    "cannot enter it",
                )
            group.nodes.append(statement)
            later = self._used_after(group, statement, scope)
            if driver.with_connection == CLOSE:
                group.actions[statement] = a.AsyncWith(driver.code)
                group.actions[binding.call] = a.Connect(driver, awaited=False)
            elif driver is PSYCOPG2 and not later:
                # psycopg 3's ``async with conn`` commits (or rolls back) and closes.
                group.actions[statement] = a.AsyncWith(driver.code)
            elif not later and not group.closes:
                self._check_exits(statement, group.name, line)
                group.actions[statement] = a.CommitAtEnd(driver.code, group.name)
                group.actions[binding.call] = a.Connect(driver, awaited=False)
            elif driver.needs_close and not group.closes:
                self._check_exits(statement, group.name, line)
                group.actions[statement] = a.Transaction(driver.code, group.name)
                group.actions[binding.call] = a.Connect(driver, awaited=False)
                self._wrap(group, binding, statement, scope, drop_first=False)
            else:
                self._check_exits(statement, group.name, line)
                group.actions[statement] = a.Transaction(driver.code, group.name, binding.call)

    def _used_after(self, group: Group, statement: cst.With, scope: FunctionScope) -> bool:
        """Is the connection, or one of its cursors, used anywhere but in the body of
        ``statement`` (its binding)?"""
        for name in (group.name, *sorted(group.cursors)):
            for access in self._accesses(scope, name):
                if not encloses(self.lookups, statement.body, access.node):
                    return True
        return False

    def _wrap_assignment(self, group: Group, binding: Binding, scope: FunctionScope) -> None:
        line = self.lookups.parent_of(binding.statement)
        assert isinstance(line, cst.SimpleStatementLine)
        if len(line.body) != 1:
            raise Refused(
                STRUCTURE,
                f"'{group.name}' is never closed and its binding shares a line with other "
                "statements; close it (in a finally) and rerun",
            )
        group.actions[binding.call] = a.Connect(group.driver, awaited=False)
        self._wrap(group, binding, line, scope, drop_first=True)

    def _wrap(
        self,
        group: Group,
        binding: Binding,
        first: cst.BaseStatement,
        scope: FunctionScope,
        drop_first: bool,
    ) -> None:
        """Close the connection after its last use: every use must follow ``first`` in its
        block, and the name be bound only there."""
        reason = (
            f"'{group.name}' is never closed, and aiosqlite needs an explicit close (its "
            "worker thread outlives the event loop otherwise)"
        )
        if len(group.bindings) > 1:
            raise Refused(STRUCTURE, f"{reason}; it is bound more than once: close it and rerun")
        block = self.lookups.parent_of(first)
        if not isinstance(block, cst.IndentedBlock):
            raise Refused(STRUCTURE, f"{reason}; close it and rerun")
        statements = list(block.body)
        index = statements.index(first)
        last = index
        uses = [x for n in (group.name, *sorted(group.cursors)) for x in self._accesses(scope, n)]
        for access in uses:
            position = _statement_index(access.node, block, self.lookups)
            if position is None or position < index:
                raise Refused(
                    STRUCTURE,
                    f"{reason}, and it is used outside the block that opens it; close it "
                    "(in a finally) and rerun",
                )
            last = max(last, position)
        group.wraps.append(
            a.Wrap(
                group.driver.code,
                block,
                first,
                statements[last],
                group.name,
                binding.call,
                drop_first,
            )
        )

    def _check_exits(self, statement: cst.With, name: str, line: int) -> None:
        """A transaction block must end by running off its end, by one last ``return``, or
        by an exception: the commit goes before the end."""
        body = statement.body
        if not isinstance(body, cst.IndentedBlock):
            raise Refused(
                STRUCTURE,
                f"the body of 'with' on line {line} is on the same line; put it on lines of "
                "its own and rerun",
            )
        final_return = final_return_of(body)
        for node in _own_nodes(body, loops=False):
            if isinstance(node, _EXITS) and node is not final_return:
                kind = type(node).__name__.lower()
                raise Refused(
                    STRUCTURE,
                    f"the transaction block of '{name}' (line {line}) is left by a {kind} "
                    f"(line {self._line(node)}); the commit cannot be placed before it",
                )

    # -- thread locks and suppression comments ---------------------------------------------

    def _check_held(self, group: Group) -> None:
        for node in group.nodes:
            if self.lookups.held_lock(node):
                raise Refused(HELD, f"a use on line {self._line(node)}: {LOCKED_REASON}")
        code = group.driver.code
        if any([self.lookups.suppressed(b.call, code) for b in group.bindings]):
            # Each use is looked at too: when the run leaves the code off, every use is
            # such a site, and the codemods after this one leave them alone as well.
            _ = [self.lookups.suppressed(node, code) for node in group.nodes]
            raise Silenced()
        for node in group.nodes:
            if self.lookups.suppressed(node, code):
                raise Refused(
                    HELD,
                    f"a use on line {self._line(node)} is silenced by a suppression comment, "
                    "and a connection is migrated whole",
                )

    # -- except clauses ---------------------------------------------------------------------

    def _plan_exceptions(self, groups: list[Group]) -> list[Group]:
        """Rewrite the classes of ``except`` clauses around migrated psycopg2 calls; refuse
        the connection when a class has no faithful twin."""
        changed = True
        while changed:
            changed = False
            for group in list(groups):
                if not group.driver.exceptions:
                    continue
                try:
                    self._group_exceptions(group, groups)
                except Refused as e:
                    self._refuse(group, e)
                    groups.remove(group)
                    changed = True
        return groups

    def _group_exceptions(self, group: Group, groups: list[Group]) -> None:
        driver = group.driver
        for node in _own_nodes(self.function.body):
            if not isinstance(node, (cst.Try, cst.TryStar)):
                continue
            if not any(encloses(self.lookups, node.body, n) for n in group.nodes):
                continue
            others = self._refused_inside(driver, node.body)
            for handler in node.handlers:
                if handler.type is None:
                    continue
                for name_node in _exception_names(handler.type):
                    qualified = self._driver_name(name_node, driver)
                    if qualified is None:
                        continue
                    twin = async_exception(driver, qualified)
                    line = self._line(name_node)
                    if twin is None:
                        raise Refused(
                            EXCEPTIONS,
                            f"'except {qualified}' (line {line}) has no {driver.target} twin",
                        )
                    if others:
                        raise Refused(
                            EXCEPTIONS,
                            f"'except {qualified}' (line {line}) also guards the {driver.name} "
                            f"connection '{others[0]}', left unchanged",
                        )
                    group.actions[name_node] = a.Rename(driver.code, twin, (driver.target, None))
                    group.dropped.append(name_node)
                if isinstance(handler.name, cst.AsName) and isinstance(handler.name.name, cst.Name):
                    self._exception_uses(group, handler)

    def _refused_inside(self, driver: Driver, body: cst.CSTNode) -> list[str]:
        """Names of this driver's connections left unchanged that ``body`` uses."""
        names = self.refused.get(driver.name, set())
        return sorted(
            {n.value for n in _own_nodes(body) if isinstance(n, cst.Name) and n.value in names}
        )

    def _driver_name(self, node: cst.BaseExpression, driver: Driver) -> str | None:
        for name in self.lookups.qualified_names(node):
            if is_driver_exception(driver, name):
                return name
        return None

    def _exception_uses(self, group: Group, handler: cst.ExceptHandler) -> None:
        """``e.pgcode`` -> ``e.sqlstate``; ``e.pgerror`` and ``e.cursor`` are refused."""
        assert isinstance(handler.name, cst.AsName) and isinstance(handler.name.name, cst.Name)
        name = handler.name.name.value
        for node in _own_nodes(handler.body):
            if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)):
                continue
            if node.value.value != name:
                continue
            attribute = node.attr.value
            if attribute == "pgcode":
                group.actions[node] = a.Rename(group.driver.code, f"{name}.sqlstate")
            elif attribute in ("pgerror", "cursor"):
                raise Refused(
                    EXCEPTIONS,
                    f"'{name}.{attribute}' (line {self._line(node)}): psycopg 3 exceptions "
                    "have no such attribute",
                )

    # -- emitting ------------------------------------------------------------------------

    def _emit(self, group: Group) -> None:
        self.plan.actions.update(group.actions)
        self.plan.wraps.extend(group.wraps)
        self.plan.imports |= group.imports
        self.plan.dropped.extend(group.dropped)

    # -- helpers ---------------------------------------------------------------------------

    def _same_scope(self, name: str, access: Access, scope: FunctionScope) -> None:
        if access.scope is not scope:
            raise Refused(
                ESCAPES,
                f"'{name}' is used in a nested function, class or comprehension "
                f"(line {self._line(access.node)})",
            )
        where = self._where(access.node)
        if where is not None:
            raise Refused(
                ESCAPES,
                f"'{name}' is used {where} (line {self._line(access.node)})",
            )
        child, current = access.node, self.lookups.parent_of(access.node)
        while current is not None and current is not self.function:
            if isinstance(current, cst.Lambda):
                raise Refused(ESCAPES, f"'{name}' is used in a lambda")
            child, current = current, self.lookups.parent_of(current)
        del child

    def _line(self, node: cst.CSTNode) -> int:
        return self.lookups.input_line(node)

    def _accesses(self, scope: FunctionScope, name: str) -> list[Access]:
        """Every read of ``name`` in the coroutine, in source order."""
        found = set(scope.accesses[name])
        for assignment in scope.assignments[name]:
            found.update(assignment.references)

        def where(access: Access) -> tuple[int, int]:
            return self.lookups.position_of(access.node)

        return sorted(found, key=where)


# -- module helpers -------------------------------------------------------------------------


def _own_nodes(node: cst.CSTNode, loops: bool = True) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` that runs in the same function: nested ``def``,
    ``class`` and ``lambda`` are skipped; with ``loops=False``, so are loops (for the
    ``break``/``continue`` that stay inside them) and their ``else`` clauses are not."""
    for child in node.children:
        if isinstance(child, _NESTED):
            continue
        yield child
        if not loops and isinstance(child, (cst.For, cst.While)):
            for part in (child.iter if isinstance(child, cst.For) else child.test,):
                yield from _own_nodes(part)
            yield from _returns_only(child.body)
            if child.orelse is not None:
                yield from _own_nodes(child.orelse, loops=False)
            continue
        yield from _own_nodes(child, loops)


def final_return_of(body: cst.BaseSuite) -> cst.Return | None:
    """The ``return`` that ends ``body``: its last statement, or the last statement of a
    ``with`` that ends it (recursively), when that is a ``return``."""
    while isinstance(body, cst.IndentedBlock) and body.body:
        last = body.body[-1]
        if isinstance(last, cst.With):
            body = last.body
            continue
        if (
            isinstance(last, cst.SimpleStatementLine)
            and len(last.body) == 1
            and isinstance(last.body[0], cst.Return)
        ):
            return last.body[0]
        return None
    return None


def _returns_only(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The ``return`` statements under a loop body (``break``/``continue`` stay inside)."""
    for child in node.children:
        if isinstance(child, _NESTED):
            continue
        if isinstance(child, cst.Return):
            yield child
        yield from _returns_only(child)


def _statement_index(node: cst.CSTNode, block: cst.IndentedBlock, lookups: Lookups) -> int | None:
    """The index in ``block.body`` of the statement holding ``node``, if any."""
    child, current = node, lookups.parent_of(node)
    while current is not None:
        if current is block:
            return list(block.body).index(child)  # type: ignore[arg-type]
        child, current = current, lookups.parent_of(current)
    return None


def _is_store(holder: cst.CSTNode | None, attribute: cst.Attribute) -> bool:
    if isinstance(holder, (cst.AssignTarget, cst.Del)):
        return True
    if isinstance(holder, (cst.AugAssign, cst.AnnAssign)) and holder.target is attribute:
        return True
    return False


def _exception_names(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.Tuple):
        for element in node.elements:
            yield from _exception_names(element.value)
    elif isinstance(node, (cst.Name, cst.Attribute)):
        yield node


def _statements_of(text: str) -> list[str]:
    """``text`` split at the semicolons outside quotes and comments."""
    parts, current, quote, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _describe(node: cst.CSTNode) -> str:
    return f"a {type(node).__name__}"


def _escape(parent: cst.CSTNode | None) -> str:
    kinds: tuple[tuple[type, str], ...] = (
        (cst.Return, "is returned: its callers would get an async object"),
        (cst.Yield, "is yielded"),
        (cst.Assign, "is stored in another name or attribute"),
        (cst.AnnAssign, "is stored in another name or attribute"),
        (cst.AssignTarget, "is rebound"),
        (cst.Element, "is put in a container"),
        (cst.DictElement, "is put in a container"),
        (cst.Arg, "is passed to a function, which would use it synchronously"),
        (cst.Del, "is deleted"),
    )
    for kind, text in kinds:
        if isinstance(parent, kind):
            return text
    return f"is used in {type(parent).__name__ if parent else 'an expression'}"
