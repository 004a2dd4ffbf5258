"""What the ``concurrency`` codemod can tell about a loop from its syntax alone: which
awaits belong to it, what its body does, whether an iteration reads a name an earlier one
wrote, and whether the awaited call is simple enough to make for every item up front.
What needs name resolution (sleeps, scopes) is the command's part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import libcst as cst

from codemods.core.build import code_of
from codemods.core.names import dotted_name

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)

#: The accepted shapes of a loop body, for messages.
SHAPES = "out.append(await f(x)), await f(x) or d[k] = await f(k)"

#: Methods of objects that serve one operation at a time (a database connection or
#: cursor, a stream, a websocket, a queue, a lock): calls of them must not overlap.
ONE_AT_A_TIME_METHODS = frozenset(
    {
        "acquire",
        "commit",
        "drain",
        "execute",
        "executemany",
        "executescript",
        "fetchall",
        "fetchmany",
        "fetchone",
        "fetchrow",
        "fetchval",
        "flush",
        "get_nowait",
        "join",
        "put",
        "put_nowait",
        "read",
        "readany",
        "readchunk",
        "readexactly",
        "readline",
        "readlines",
        "readuntil",
        "receive",
        "receive_bytes",
        "receive_json",
        "receive_str",
        "recv",
        "rollback",
        "seek",
        "send",
        "send_bytes",
        "send_json",
        "send_str",
        "sendall",
        "wait",
        "write",
        "writelines",
    }
)
#: Names (or their last ``_``-separated part) of objects that serve one operation at a time.
ONE_AT_A_TIME_NAME = re.compile(
    r"(?i)(?:^|_)(?:con|conn|connection|cursor|cur|db|tx|txn|transaction|ws|websocket|sock|"
    r"socket|stream|reader|writer|channel|chan|pipe|queue|lock|file|fp)$"
)


@dataclass(frozen=True)
class Shape:
    """One awaited call per iteration, in one of the shapes the rewrite handles."""

    #: ``"list"`` (``out.append(await f(x))``), ``"dict"`` (``d[k] = await f(k)``) or
    #: ``"expr"`` (``await f(x)``, the results dropped).
    kind: str
    call: cst.Call
    #: The list or dict being built (``out``), and the Name node that reads it in the body.
    accumulator: cst.Name | None = None
    #: The dict key: a loop variable.
    key: cst.Name | None = None


def _own(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and what runs with it in each iteration of the loop it is in: not the
    bodies of nested functions, loops and comprehensions (only what a nested ``for`` or
    comprehension evaluates once, its first iterable)."""
    yield node
    if isinstance(node, _SCOPES) or isinstance(node, cst.While):
        return
    if isinstance(node, cst.For):
        yield from _own(node.iter)
        return
    if isinstance(node, _COMPREHENSIONS):
        yield from _own(node.for_in.iter)
        return
    for child in node.children:
        yield from _own(child)


def own_nodes(parts: Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    for part in parts:
        yield from _own(part)


def loop_parts(loop: cst.For | cst.ListComp | cst.SetComp | cst.DictComp) -> list[cst.CSTNode]:
    """What a loop runs in each iteration: a ``for`` loop's body, a comprehension's
    element (key and value), conditions and further ``for`` clauses."""
    if isinstance(loop, cst.For):
        return [loop.body]
    parts: list[cst.CSTNode] = (
        [loop.key, loop.value] if isinstance(loop, cst.DictComp) else [loop.elt]
    )
    parts += list(loop.for_in.ifs)
    if loop.for_in.inner_for_in is not None:
        parts.append(loop.for_in.inner_for_in)
    return parts


def suspensions(parts: Iterable[cst.CSTNode]) -> list[cst.CSTNode]:
    """The points where an iteration suspends: its awaits and ``async with`` blocks."""
    return [
        node
        for node in own_nodes(parts)
        if isinstance(node, cst.Await) or (isinstance(node, cst.With) and node.asynchronous)
    ]


def control_flow(body: cst.BaseSuite) -> str | None:
    """What in a loop's body stops its iterations from being run apart, or None:
    ``break``, ``continue``, ``return``, ``yield``, ``try``, ``with``."""

    def find(node: cst.CSTNode, in_nested_loop: bool) -> str | None:
        if isinstance(node, _SCOPES):
            return None
        if isinstance(node, (cst.Break, cst.Continue)) and not in_nested_loop:
            return "break" if isinstance(node, cst.Break) else "continue"
        if isinstance(node, cst.Return):
            return "return"
        if isinstance(node, cst.Yield):
            return "yield"
        if isinstance(node, (cst.Try, cst.TryStar)):
            return "try"
        if isinstance(node, cst.With):
            return "async with" if node.asynchronous else "with"
        nested = in_nested_loop or isinstance(node, (cst.For, cst.While))
        for child in node.children:
            found = find(child, nested)
            if found:
                return found
        return None

    found = find(body, False)
    return f"{found} in the loop" if found else None


def target_names(target: cst.BaseExpression) -> list[cst.Name] | None:
    """The names a loop target binds, if it is a name or a (nested) tuple of names."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[cst.Name] = []
        for element in target.elements:
            inner = target_names(element.value)
            if inner is None:
                return None
            names += inner
        return names
    return None


class _Order(cst.CSTVisitor):
    """Reads and writes of plain names, in the order they happen (roughly: an assignment's
    value before its targets)."""

    def __init__(self) -> None:
        self.events: list[tuple[bool, str]] = []  # (is a write, name)

    def visit_Name(self, node: cst.Name) -> bool:
        self.events.append((False, node.value))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        node.value.visit(self)
        for target in node.targets:
            self._store(target.target)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        if node.value is not None:
            node.value.visit(self)
        self._store(node.target)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        node.target.visit(self)
        node.value.visit(self)
        self._store(node.target)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        node.value.visit(self)
        self._store(node.target)
        return False

    def visit_For(self, node: cst.For) -> bool:
        node.iter.visit(self)
        self._store(node.target)
        node.body.visit(self)
        if node.orelse is not None:
            node.orelse.visit(self)
        return False

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        node.iter.visit(self)  # the comprehension's own variables are local to it
        for condition in node.ifs:
            condition.visit(self)
        if node.inner_for_in is not None:
            node.inner_for_in.visit(self)
        return False

    def visit_WithItem(self, node: cst.WithItem) -> bool:
        node.item.visit(self)
        if node.asname is not None:
            self._store(node.asname.name)
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.type is not None:
            node.type.visit(self)
        if node.name is not None:
            self._store(node.name.name)
        node.body.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.events.append((True, node.name.value))
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.events.append((True, node.name.value))
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        bound = node.asname.name if node.asname is not None else node.name
        while isinstance(bound, cst.Attribute):
            bound = bound.value
        if isinstance(bound, cst.Name):
            self.events.append((True, bound.value))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                alias.visit(self)
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        self._store(node.target)
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False

    def _store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.events.append((True, target.value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value)
        else:  # an attribute or a subscript: what it is taken from is read
            target.visit(self)


def carried(body: cst.CSTNode, fresh: Iterable[str]) -> str | None:
    """A name the loop body writes and reads before writing it in the same iteration:
    that read sees what the previous iteration wrote. ``fresh`` names (the loop's
    variables) are bound anew at the start of each iteration."""
    order = _Order()
    body.visit(order)
    written = {name for is_write, name in order.events if is_write}
    so_far = set(fresh)
    for is_write, name in order.events:
        if is_write:
            so_far.add(name)
        elif name in written and name not in so_far:
            return name
    return None


def body_shape(loop: cst.For) -> Shape | str:
    """The loop's one awaited call, in a shape the rewrite handles, or why not."""
    body = loop.body
    if isinstance(body, cst.SimpleStatementSuite):
        statements: list[cst.CSTNode] = list(body.body)
    else:
        statements = []
        for statement in body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                statements += statement.body
            else:
                statements.append(statement)
    if len(statements) != 1:
        return f"the body is {len(statements)} statements, not one awaited call ({SHAPES})"
    (statement,) = statements
    if isinstance(statement, cst.Expr):
        value = statement.value
        if isinstance(value, cst.Await):
            return _awaited_call(value, Shape("expr", cst.Call(cst.Name("_"))))
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name)
            and value.func.attr.value == "append"
            and len(value.args) == 1
            and value.args[0].keyword is None
            and not value.args[0].star
            and isinstance(value.args[0].value, cst.Await)
        ):
            shape = Shape("list", cst.Call(cst.Name("_")), accumulator=value.func.value)
            return _awaited_call(value.args[0].value, shape)
    if (
        isinstance(statement, cst.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.value, cst.Await)
    ):
        target = statement.targets[0].target
        if (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Name)
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and isinstance(target.slice[0].slice.value, cst.Name)
            and target.slice[0].slice.star is None
        ):
            shape = Shape(
                "dict",
                cst.Call(cst.Name("_")),
                accumulator=target.value,
                key=target.slice[0].slice.value,
            )
            return _awaited_call(statement.value, shape)
    if isinstance(statement, cst.BaseCompoundStatement):
        kind = type(statement).__name__.lower().replace("functiondef", "def")
        article = "an" if kind[0] in "aeiou" else "a"
        return f"the body is {article} {kind} statement, not one awaited call ({SHAPES})"
    return f"the body is not one awaited call in a shape rewritten ({SHAPES})"


def _awaited_call(awaited: cst.Await, shape: Shape) -> Shape | str:
    if not isinstance(awaited.expression, cst.Call):
        return f"it awaits {_short(awaited.expression)}, not a call"
    return Shape(shape.kind, awaited.expression, shape.accumulator, shape.key)


def comprehension_call(comprehension: cst.ListComp | cst.DictComp) -> cst.Call | str:
    """The awaited call a comprehension makes for each item, or why it is not one."""
    if isinstance(comprehension, cst.DictComp):
        element: cst.BaseExpression = comprehension.value
        if not isinstance(comprehension.key, cst.Name):
            return "the key is not a variable of the comprehension"
    else:
        element = comprehension.elt
    if not isinstance(element, cst.Await):
        return "the element is not one awaited call"
    if not isinstance(element.expression, cst.Call):
        return f"it awaits {_short(element.expression)}, not a call"
    return element.expression


#: Tells a call that may be made early (a builtin such as ``str``) from any other.
Pure = Callable[[cst.Call], bool]


def call_problem(call: cst.Call, variables: set[str], pure: Pure) -> str | None:
    """Why ``call`` cannot be made for every item before the first one runs, or None.

    The callee must be a name or an attribute of one, and every argument a name, a
    literal, or an operation, attribute, subscript or display of those, or a ``pure``
    call of those (``str(i)``): then making all the calls first (evaluating their
    arguments) does nothing an earlier call could change or see. The call must use a
    loop variable (the same call repeated reads a queue, a stream, a page: its order
    matters), and must not go to an object that serves one operation at a time.
    """
    callee = dotted_name(call.func)
    if callee is None:
        return f"the callee {_short(call.func)} is not a name or an attribute"
    for arg in call.args:
        problem = _simple(arg.value, pure)
        if problem:
            return f"{problem} in the arguments"
    used = {n.value for n in _names(call)}
    if not used & variables:
        return (
            "the call does not use the loop variable: repeating one call (reading a queue, "
            "a stream, a page) depends on the order"
        )
    parts = callee.split(".")
    if len(parts) > 1 and parts[-1] in ONE_AT_A_TIME_METHODS:
        return (
            f"{callee}() goes to an object that serves one operation at a time (a connection, "
            "cursor, stream or queue): the calls must not overlap"
        )
    for receiver in parts[:-1]:
        if ONE_AT_A_TIME_NAME.search(receiver):
            return (
                f"{callee}(): {receiver!r} looks like a connection, cursor or stream, which "
                "serves one operation at a time"
            )
    for arg in call.args:
        name = dotted_name(arg.value)
        if name is not None and ONE_AT_A_TIME_NAME.search(name.split(".")[-1]):
            return (
                f"{name!r} is passed to every call and looks like a connection, cursor or "
                "stream, which serves one operation at a time"
            )
    return None


def condition_problem(condition: cst.BaseExpression, pure: Pure) -> str | None:
    problem = _simple(condition, pure)
    return f"{problem} in the if clause" if problem else None


def _simple(node: cst.CSTNode, pure: Pure) -> str | None:
    """Why evaluating ``node`` early could differ, or None for names, literals and
    operations, attributes, subscripts, displays and ``pure`` calls of those."""
    if isinstance(node, cst.Call) and not pure(node):
        return f"a call of {_short(node.func)}"
    if isinstance(node, cst.Await):
        return "an await"
    if isinstance(node, (cst.Yield, cst.Lambda, cst.NamedExpr) + _COMPREHENSIONS):
        kind = {
            cst.Yield: "a yield",
            cst.Lambda: "a lambda",
            cst.NamedExpr: "an assignment expression (:=)",
        }.get(type(node), "a comprehension")
        return kind
    for child in node.children:
        problem = _simple(child, pure)
        if problem:
            return problem
    return None


def _names(node: cst.CSTNode) -> Iterator[cst.Name]:
    """The names ``node`` reads (not attribute or keyword names)."""
    if isinstance(node, cst.Name):
        yield node
        return
    if isinstance(node, cst.Attribute):
        yield from _names(node.value)
        return
    if isinstance(node, cst.Arg):
        yield from _names(node.value)
        return
    for child in node.children:
        yield from _names(child)


def _short(node: cst.CSTNode) -> str:
    """``node``'s code on one line, quoted, cut at 40 characters."""
    text = " ".join(code_of(node).split())
    return repr(text if len(text) <= 40 else text[:37] + "...")
