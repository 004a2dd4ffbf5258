"""A module's functions as the stdlib ``ast`` sees them: one parse per file gives, for each
function, whether it is a coroutine or a generator, the calls it makes (with the qualified
names each may resolve to, and whether it is awaited), the blocking calls of the catalogue
among them, the thread-bound state it uses, and the first call it makes that only works in
the event loop's thread. Project-wide analyses (blocking helpers across modules) are built
from these records without parsing again.

Kept free of libcst; records are small, picklable and cacheable by the file's content.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from codemods.core import parsed
from codemods.core.attributes import AttributeKinds, kinds_in, receiver
from codemods.core.bindings import (
    bound_by_import,
    looked_up,
    module_bindings,
    own_nodes,
    qualified_name,
)
from codemods.core.catalogue import (
    ANNOTATIONS,
    CONSTRUCTORS,
    FUNCTIONS,
    LOCK_NAME,
    NO_WAIT,
    THREAD_BOUND,
    ObjectKind,
    call_may_block,
)

#: Calls whose result is bound to the thread that made it (read from another thread, it
#: is a different object, or refuses to work).
_THREAD_BOUND = {
    "threading.local": "a threading.local",
    "sqlite3.connect": "a sqlite3 connection",
    "contextvars.ContextVar": "a context variable",
    # not documented as safe to use from several threads at once, as offloaded calls from
    # concurrent coroutines would
    **{f"requests.{name}": "a requests.Session" for name in ("Session", "session")},
}
#: A context variable is not bound to a thread the same way: ``asyncio.to_thread`` runs the
#: call in a copy of the caller's context, so reading one gives the caller's value; only a
#: change (``set``/``reset``) stays in the copy, lost when the call returns.
_CONTEXT_VARIABLE = _THREAD_BOUND["contextvars.ContextVar"]
_CONTEXT_VARIABLE_CLASS = "contextvars.ContextVar"
_CONTEXT_CHANGES = frozenset({"set", "reset"})
#: Functions that work only in the event loop's thread (in another thread they raise, or
#: act on another loop), and ``signal.signal``, which works only in the main thread.
LOOP_BOUND_FUNCTIONS = frozenset(
    {
        "asyncio.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.current_task",
        "asyncio.all_tasks",
        "asyncio.Future",
        "asyncio.events.get_event_loop",
        "asyncio.events.get_running_loop",
        "signal.signal",
        "signal.set_wakeup_fd",
    }
)
#: Event loop methods that are not thread-safe (``call_soon_threadsafe`` is the one meant
#: for other threads), called on a name that reads as a loop (``loop``, ``self._loop``).
LOOP_METHODS = frozenset(
    {
        "call_soon",
        "call_later",
        "call_at",
        "create_task",
        "create_future",
        "add_reader",
        "add_writer",
        "remove_reader",
        "remove_writer",
        "add_signal_handler",
        "remove_signal_handler",
    }
)
_LOOP_NAME = re.compile(r"(?i)loop$")
#: The records' layout: part of the name of the cache that holds them (a cache written
#: with another layout is not read).
INDEX_FORMAT = 5
#: A comment on a ``def`` line that marks the function CPU-bound (the cpu codemod's).
CPU_BOUND_MARKER = "async-migrate: cpu-bound"


@dataclass(frozen=True)
class Call:
    """A call made directly in a function's body (not in a nested function or lambda)."""

    #: What the callee may be, as qualified names (``shop.util.backoff``); for
    #: ``self.m()``/``cls.m()`` in a method of ``C``, ``<module>.C.m``.
    names: tuple[str, ...]
    #: 1-based line and 1-based column in characters, where the call starts.
    line: int
    col: int
    awaited: bool
    #: The call stands in a generator expression (evaluated lazily) or under ``with <lock>``.
    where: str = ""
    #: The callee as written (``self._write``).
    text: str = ""


@dataclass(frozen=True)
class Function:
    """A ``def`` or ``async def`` at module level or in a class (nested ones are part of
    their enclosing function's body as far as the index goes: they are not followed)."""

    #: Module-relative: ``load_item``, ``Store.put``.
    qualname: str
    line: int
    col: int
    is_async: bool
    is_generator: bool
    calls: tuple[Call, ...]
    #: The class it is a method of (module-relative), if any.
    owner: str | None = None
    decorators: tuple[str, ...] = ()
    #: Why it must run in the thread that calls it (it reads a threading.local or a sqlite3
    #: connection bound at module level, or changes a context variable), or "".
    thread_bound: str = ""
    #: The first call it makes that works only in the event loop's (or the main) thread:
    #: ``("asyncio.get_event_loop", line, col)``, or None.
    loop_bound: tuple[str, int, int] | None = None
    #: ``X.set(...)``/``X.reset(...)`` calls that change a context variable if ``X`` is
    #: one: ``(callee as written, what X may be qualified, line, col)``; for
    #: ``self.attr``/``cls.attr`` in a method of ``C``, ``<module>.C.attr``.
    context_changes: tuple[tuple[str, str, int, int], ...] = ()
    cpu_bound_marker: bool = False
    #: Calls of methods on objects whose methods block (a file, a sqlite3 connection, an
    #: HTTP client) bound at module level, as a parameter's annotation, or in the function:
    #: ``(description, line, col)``.
    object_calls: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class ModuleRecord:
    """What the index knows of one module."""

    #: Dotted module name (``shop.catalog``) and the file's path as displayed.
    module: str
    path: str
    functions: dict[str, Function] = field(default_factory=dict)
    #: Class (module-relative) -> the qualified names its bases may be.
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Names bound at module level by imports: local name -> qualified name (re-exports).
    aliases: dict[str, str] = field(default_factory=dict)
    #: ``__all__``, when it is a literal list or tuple of strings.
    exported: tuple[str, ...] = ()
    #: The context variables it creates, qualified: module-level names
    #: (``<module>.request_id``), class attributes and attributes a method sets on
    #: ``self`` (``<module>.Backend._synced``).
    context_variables: tuple[str, ...] = ()


def index_module(data: bytes, module: str, path: str) -> ModuleRecord | None:
    """The record of one module's source; None if ``ast`` cannot parse it."""
    tree = parsed.parse(data)
    if tree is None:
        return None
    text_lines = source_lines(data)
    is_package = path.endswith("__init__.py")
    imports = module_bindings(tree, module, is_package)
    aliases = {
        local: target
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for local, target in bound_by_import(node, module, is_package)
    }
    module_defs = {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    thread_bound = _thread_bound_globals(tree, imports)
    objects = _objects(tree.body, imports)
    record = ModuleRecord(module, path, aliases=aliases, exported=_exported(tree))
    context = _Context(module, imports, module_defs, thread_bound, text_lines, objects, is_package)
    if b"self." in data:
        context.kept = kinds_in(tree, imports)
    prefix = f"{module}." if module else ""
    context.context_variables.extend(
        prefix + target.id
        for target in _context_variables(tree.body, imports)
        if isinstance(target, ast.Name)
    )
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = _function(node, None, context)
            record.functions[function.qualname] = function
        elif isinstance(node, ast.ClassDef):
            _class(node, "", record, context)
    return dataclasses.replace(
        record, context_variables=tuple(sorted(set(context.context_variables)))
    )


@dataclass
class _Context:
    module: str
    #: What the names a scope sees stand for: local name -> qualified name. At module
    #: level, the module's imports and its own ``def``/``class`` names, the later
    #: binding winning; in a function, its own imports over those.
    imports: dict[str, str]
    module_defs: set[str]
    thread_bound: dict[str, str]
    lines: list[str]
    #: Module-level names bound to objects whose methods block, and their kind.
    objects: dict[str, ObjectKind]
    is_package: bool = False
    #: The context variables found so far (see ``ModuleRecord.context_variables``).
    context_variables: list[str] = field(default_factory=list)
    #: What the module's classes keep on ``self`` (see :mod:`codemods.core.attributes`).
    kept: AttributeKinds = field(default_factory=dict)

    def qualify(self, local: str) -> str | None:
        """The qualified name a name this scope sees stands for, if known."""
        if local in self.imports:
            return self.imports[local]
        if local in self.module_defs:
            return f"{self.module}.{local}" if self.module else local
        return None

    def inside(self, body: list[ast.AST]) -> _Context:
        """The context of a function whose own nodes are ``body``: the names it imports
        are its own (an import in another function binds nothing here)."""
        own = [
            pair
            for node in body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for pair in bound_by_import(node, self.module, self.is_package)
        ]
        if not own:
            return self
        return dataclasses.replace(self, imports={**self.imports, **dict(own)})


def _class(node: ast.ClassDef, prefix: str, record: ModuleRecord, context: _Context) -> None:
    name = f"{prefix}{node.name}"
    record.classes[name] = tuple(
        n for base in node.bases for n in _names_of(base, context, owner=None, local=set())
    )
    context.context_variables.extend(
        _attribute(context.module, name, target.id)
        for target in _context_variables(node.body, context.imports)
        if isinstance(target, ast.Name)
    )
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = _function(child, name, context)
            record.functions[function.qualname] = function
        elif isinstance(child, ast.ClassDef):
            _class(child, f"{name}.", record, context)


#: The nodes that may bind a name in a function's own scope (see ``_local_names``).
_BINDERS = (ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global)


class _Own:
    """A function's own nodes (see ``own_nodes``), in order, and by class: each scan
    of them reads only the classes it looks for."""

    def __init__(self, function: ast.AST) -> None:
        self.by_class: dict[type, list[Any]] = {}
        self.nodes = own_nodes(function, self.by_class)  # walked once; each scan reads these

    def of(self, *classes: type) -> list[Any]:
        """The nodes of these classes, in order."""
        if len(classes) == 1:
            return self.by_class.get(classes[0], [])
        if sum(1 for c in classes if c in self.by_class) <= 1:
            return next((self.by_class[c] for c in classes if c in self.by_class), [])
        return [n for n in self.nodes if n.__class__ in classes]


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, context: _Context
) -> Function:
    qualname = f"{owner}.{node.name}" if owner else node.name
    own = _Own(node)
    local = _local_names(node, own.of(*_BINDERS))
    context = context.inside(own.of(ast.Import, ast.ImportFrom))
    called = own.of(ast.Call)
    calls = []
    awaited = {id(n.value) for n in own.of(ast.Await)}  # type: ignore[attr-defined]
    lazy = _lazy_nodes(own.of(ast.GeneratorExp))
    locked = _locked_nodes(own.of(ast.With))
    for child in called:
        names = tuple(_names_of(child.func, context, owner, local))
        if not names:
            continue
        where = "generator" if id(child) in lazy else "locked" if id(child) in locked else ""
        line, col = position(child, context.lines)
        text = parsed.dotted(child.func) or ast.unparse(child.func)
        calls.append(Call(names, line, col, id(child) in awaited, where, text))
    objects = {k: v for k, v in context.objects.items() if k not in local}
    objects.update(
        _objects(own.of(ast.Assign, ast.AnnAssign, ast.withitem, ast.With), context.imports)
    )
    for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
        if argument.annotation is not None:
            kind = looked_up(argument.annotation, context.imports, ANNOTATIONS)
            if kind:
                objects[argument.arg] = kind
    object_calls = []
    for child in called:
        if (
            isinstance(child.func, ast.Attribute)
            and isinstance(child.func.value, ast.Name)
            and child.func.value.id in objects
            and id(child) not in awaited
            and call_may_block(objects[child.func.value.id], child.func.attr)
            and not _without_waiting(child, objects[child.func.value.id])
        ):
            line, col = position(child, context.lines)
            kind = objects[child.func.value.id]
            name = f"{child.func.value.id}.{child.func.attr}"
            object_calls.append((f"{name} ({kind.value})", line, col))
    kept = _kept(node, owner, context, own)
    for child in called:
        func = child.func
        if isinstance(func, ast.Attribute) and id(child) not in awaited:
            kind = kept.get(id(func.value))
            if (
                kind is not None
                and call_may_block(kind, func.attr)
                and not _without_waiting(child, kind)
            ):
                line, col = position(child, context.lines)
                name = f"{parsed.dotted(func.value)}.{func.attr}"
                object_calls.append((f"{name} ({kind.value})", line, col))
    bound = sorted(_thread_state(own.of(ast.Name), local, context.thread_bound))
    held = sorted({_KEPT_THREAD_BOUND[k] for k in kept.values() if k in _KEPT_THREAD_BOUND})
    bound = [*(f"it reads {what}" for what in held), *bound]
    line, col = position(node, context.lines)
    def_line = context.lines[node.lineno - 1] if node.lineno <= len(context.lines) else ""
    return Function(
        qualname=qualname,
        line=line,
        col=col,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_generator=bool(own.of(ast.Yield, ast.YieldFrom)),
        calls=tuple(calls),
        owner=owner,
        decorators=tuple(ast.unparse(d) for d in node.decorator_list),
        thread_bound=bound[0] if bound else "",
        loop_bound=_loop_bound(called, context, owner, local),
        context_changes=tuple(
            _context_changes(own.of(ast.Assign, ast.AnnAssign, ast.Call), context, owner, local)
        ),
        cpu_bound_marker=CPU_BOUND_MARKER in def_line,
        object_calls=tuple(object_calls),
    )


#: What a method reads when it reads an object of these kinds its class keeps on ``self``:
#: the object is bound to the thread that made it (a sqlite3 connection), or not safe to
#: use from several threads at once, as offloaded calls from concurrent coroutines would
#: (a SQLAlchemy session, a boto3 session). An RLock is safe to use in a function run in a
#: thread: it acquires and releases it there.
_KEPT_THREAD_BOUND = {
    ObjectKind.SQLITE: _THREAD_BOUND["sqlite3.connect"],
    ObjectKind.REQUESTS_SESSION: _THREAD_BOUND["requests.Session"],
    **{kind: f"a {kind.value}" for kind in THREAD_BOUND if kind is not ObjectKind.THREAD_RLOCK},
}


def _kept(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    owner: str | None,
    context: _Context,
    own: _Own,
) -> dict[int, ObjectKind]:
    """The ``self.<attribute>`` expressions of a method that read an object its class keeps
    there, by id, with the object's kind."""
    if owner is None or not context.kept:
        return {}
    instance = receiver(node)
    found: dict[int, ObjectKind] = {}
    for attribute in own.of(ast.Attribute):
        value = attribute.value
        if isinstance(value, ast.Name) and value.id == instance:
            kind = context.kept.get((owner, attribute.attr))
            if kind is not None and isinstance(attribute.ctx, ast.Load):
                found[id(attribute)] = kind
    return found


def _thread_state(body: list[ast.AST], local: set[str], globals_: dict[str, str]) -> set[str]:
    """How the body uses the module's thread-bound globals that are not shadowed here
    (``it reads a threading.local``). Context variables are left to
    ``_context_changes``: reading one in a thread is faithful."""
    return {
        f"it reads {globals_[node.id]}"
        for node in body
        if isinstance(node, ast.Name)
        and node.id in globals_
        and node.id not in local
        and globals_[node.id] != _CONTEXT_VARIABLE
    }


def _context_variables(statements: Iterable[ast.AST], imports: dict[str, str]) -> Iterator[ast.AST]:
    """The targets ``statements`` bind to a new ``contextvars.ContextVar``."""
    for node in statements:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not isinstance(value, ast.Call):
            continue
        dotted = parsed.dotted(value.func)
        if dotted is None:
            continue
        root, _, rest = dotted.partition(".")
        if imports.get(root, root) + ("." + rest if rest else "") == _CONTEXT_VARIABLE_CLASS:
            yield from targets


def _attribute(module: str, owner: str, name: str) -> str:
    return f"{module}.{owner}.{name}" if module else f"{owner}.{name}"


def _context_changes(
    body: list[ast.AST], context: _Context, owner: str | None, local: set[str]
) -> list[tuple[str, str, int, int]]:
    """The calls in the body that change a context variable if their receiver is one
    (``var.set(x)``), and, in a method, the context variables it creates on ``self``.
    A receiver the function both sets and resets (``token = var.set(x)`` ... ``finally:
    var.reset(token)``) is left out: the change does not outlive the call."""
    for target in _context_variables(body, context.imports):
        if (
            owner is not None
            and isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            context.context_variables.append(_attribute(context.module, owner, target.attr))
    changes: list[tuple[str, str, int, int]] = []
    methods: dict[str, set[str]] = {}
    for node in body:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _CONTEXT_CHANGES
        ):
            continue
        receiver = parsed.dotted(node.func.value)
        if receiver is None:
            continue
        root, _, rest = receiver.partition(".")
        reference = None
        if owner is not None and root in ("self", "cls") and rest and "." not in rest:
            reference = _attribute(context.module, owner, rest)
        elif root not in local:
            qualified = context.qualify(root) or (
                f"{context.module}.{root}" if context.module else root
            )
            reference = f"{qualified}.{rest}" if rest else qualified
        if reference is not None:
            line, col = position(node, context.lines)
            changes.append((f"{receiver}.{node.func.attr}", reference, line, col))
            methods.setdefault(reference, set()).add(node.func.attr)
    return [c for c in changes if methods[c[1]] != _CONTEXT_CHANGES]


def _loop_bound(
    body: list[ast.AST], context: _Context, owner: str | None, local: set[str]
) -> tuple[str, int, int] | None:
    """The first call in the body that works only in the event loop's thread, if any."""
    found = []
    for node in body:
        if not isinstance(node, ast.Call):
            continue
        name = next(
            (n for n in _names_of(node.func, context, owner, local) if n in LOOP_BOUND_FUNCTIONS),
            None,
        )
        func = node.func
        if (
            name is None
            and isinstance(func, ast.Attribute)
            and func.attr in LOOP_METHODS
            and _LOOP_NAME.search(_last_name(func.value))
        ):
            name = ast.unparse(func)
        if name is not None:
            found.append((*position(node, context.lines), name))
    if not found:
        return None
    line, col, name = min(found)
    return name, line, col


def _last_name(expression: ast.AST) -> str:
    """``_loop`` for ``self._loop``, ``loop`` for ``loop``; "" for anything else."""
    if isinstance(expression, ast.Attribute):
        return expression.attr
    if isinstance(expression, ast.Name):
        return expression.id
    return ""


def blocking_calls(function: Function) -> Iterator[tuple[Call, str]]:
    """The calls of the catalogue's blocking functions ``function`` makes, with the name."""
    for call in function.calls:
        for name in call.names:
            if name in FUNCTIONS:
                yield call, name
                break


def _objects(nodes: Iterable[ast.AST], imports: dict[str, str]) -> dict[str, ObjectKind]:
    """Names bound (``x = ctor(...)``, ``with ctor(...) as x``) to objects whose methods
    block, and their kind."""
    found: dict[str, ObjectKind] = {}
    for node in nodes:
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            pairs = [(node.optional_vars, node.context_expr)]
        elif isinstance(node, (ast.With)):
            pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars]
        for target, value in pairs:
            if isinstance(target, ast.Name) and isinstance(value, ast.Call):
                kind = looked_up(value.func, imports, CONSTRUCTORS)
                if kind:
                    found[target.id] = kind
    return found


def _without_waiting(call: ast.Call, kind: ObjectKind) -> bool:
    """Whether ``call`` (a method of an object of ``kind``) is told not to wait, and
    returns at once (``executor.shutdown(wait=False)``, ``q.get(block=False)``: see
    ``NO_WAIT``)."""
    if not isinstance(call.func, ast.Attribute) or (kind, call.func.attr) not in NO_WAIT:
        return False
    keyword, position = NO_WAIT[kind, call.func.attr]
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return False
    values = [k.value for k in call.keywords if k.arg == keyword]
    values += call.args[position : position + 1]
    return bool(values) and isinstance(values[0], ast.Constant) and values[0].value is False


def _lazy_nodes(body: list[ast.AST]) -> set[int]:
    """ids of the nodes that run lazily inside generator expressions (all but the first
    iterable), among a function's own nodes ``body``."""
    lazy: set[int] = set()
    for node in body:
        if isinstance(node, ast.GeneratorExp):
            first = {id(inner) for inner in parsed.walk(node.generators[0].iter)}
            lazy.update(id(inner) for inner in parsed.walk(node) if inner is not node)
            lazy.difference_update(first)
    return lazy


def _locked_nodes(body: list[ast.AST]) -> set[int]:
    """ids of the nodes inside a plain ``with`` on something named like a lock, among a
    function's own nodes ``body``."""
    locked: set[int] = set()
    for node in body:
        if isinstance(node, ast.With) and any(_is_lock(item.context_expr) for item in node.items):
            for statement in node.body:
                locked.update(id(inner) for inner in parsed.walk(statement))
    return locked


def _is_lock(expression: ast.AST) -> bool:
    if isinstance(expression, ast.Call):
        expression = expression.func
    name = (
        expression.attr
        if isinstance(expression, ast.Attribute)
        else expression.id
        if isinstance(expression, ast.Name)
        else ""
    )
    return bool(LOCK_NAME.search(name))


def _local_names(node: ast.FunctionDef | ast.AsyncFunctionDef, body: list[ast.AST]) -> set[str]:
    """Names bound in the function (parameters, assignments, nested ``def``/``class``),
    from its own nodes ``body``; the names it imports are resolved by its context."""
    names = parsed.parameter_names(node.args)
    for child in body:
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
    globals_ = {n for child in body if isinstance(child, ast.Global) for n in child.names}
    return names - globals_


def _names_of(
    expression: ast.AST, context: _Context, owner: str | None, local: set[str]
) -> Iterator[str]:
    """The qualified names a callee expression may refer to."""
    attrs: list[str] = []
    while isinstance(expression, ast.Attribute):
        attrs.append(expression.attr)
        expression = expression.value
    if not isinstance(expression, ast.Name):
        return
    suffix = "".join("." + a for a in reversed(attrs))
    root = expression.id
    if owner is not None and root in ("self", "cls") and len(attrs) == 1:
        prefix = f"{context.module}." if context.module else ""
        yield f"{prefix}{owner}{suffix}"
        return
    if root in local:
        return
    qualified = context.qualify(root)
    if qualified is not None:
        yield qualified + suffix
        return
    yield f"builtins.{root}{suffix}" if not attrs else root + suffix


def _thread_bound_globals(tree: ast.Module, imports: dict[str, str]) -> dict[str, str]:
    """Module-level names bound to thread-bound objects, and what each is."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            qualified = qualified_name(node.value.func, imports)
            if qualified in _THREAD_BOUND:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = _THREAD_BOUND[qualified]
    return found


def _exported(tree: ast.Module) -> tuple[str, ...]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                return tuple(
                    e.value
                    for e in node.value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                )
    return ()


def source_lines(data: bytes) -> list[str]:
    """The lines of ``data`` as Python counts them (a form feed does not end one)."""
    return re.split(r"\r\n|\r|\n", data.decode("utf-8", errors="replace"))


def position(node: ast.AST, lines: list[str]) -> tuple[int, int]:
    """1-based line and 1-based column in characters (``ast`` counts UTF-8 bytes), as
    libcst counts them; ``lines`` from :func:`source_lines`."""
    line = node.lineno  # type: ignore[attr-defined]
    offset = node.col_offset  # type: ignore[attr-defined]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line, len(text.encode("utf-8")[:offset].decode("utf-8", errors="replace")) + 1
