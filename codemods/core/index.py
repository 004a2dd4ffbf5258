"""A module's functions as the stdlib ``ast`` sees them: one parse per file gives, for each
function, whether it is a coroutine or a generator, the calls it makes (with the qualified
names each may resolve to, and whether it is awaited), the blocking calls of the catalogue
among them, and the thread-bound state it reads. Project-wide analyses (blocking helpers
across modules) are built from these records without parsing again.

Kept free of libcst; records are small, picklable and cacheable by the file's content.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from codemods.core import parsed
from codemods.core.catalogue import ANNOTATIONS, CONSTRUCTORS, FUNCTIONS, ObjectKind, method_blocks

#: Calls whose result is bound to the thread that made it (read from another thread, it
#: is a different object, or refuses to work).
_THREAD_BOUND = {
    "threading.local": "a threading.local",
    "sqlite3.connect": "a sqlite3 connection",
    "contextvars.ContextVar": "a context variable",
}
#: A comment on a ``def`` line that marks the function CPU-bound (the cpu codemod's).
CPU_BOUND_MARKER = "async-migrate: cpu-bound"
_LOCK_NAME = re.compile(r"(?i)(lock|mutex|sem|semaphore)$")


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
    #: Why it must run in the thread that calls it (it reads such state), or "".
    thread_bound: str = ""
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


def index_module(data: bytes, module: str, path: str) -> ModuleRecord | None:
    """The record of one module's source; None if ``ast`` cannot parse it."""
    tree = parsed.parse(data)
    if tree is None:
        return None
    # Lines as Python counts them: a form feed does not end one.
    text_lines = re.split(r"\r\n|\r|\n", data.decode("utf-8", errors="replace"))
    is_package = path.endswith("__init__.py")
    imports = _imports(tree, module, is_package)
    aliases = {
        local: target
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for local, target in _bound_by_import(node, module, is_package)
    }
    module_defs = {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    thread_bound = _thread_bound_globals(tree, imports)
    objects = _objects(tree.body, imports)
    record = ModuleRecord(module, path, aliases=aliases, exported=_exported(tree))
    context = _Context(module, imports, module_defs, thread_bound, text_lines, objects)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = _function(node, None, context)
            record.functions[function.qualname] = function
        elif isinstance(node, ast.ClassDef):
            _class(node, "", record, context)
    return record


@dataclass
class _Context:
    module: str
    imports: dict[str, str]
    module_defs: set[str]
    thread_bound: dict[str, str]
    lines: list[str]
    #: Module-level names bound to objects whose methods block, and their kind.
    objects: dict[str, ObjectKind]

    def qualify(self, local: str) -> str | None:
        """The qualified name a module-level name stands for, if known."""
        if local in self.imports:
            return self.imports[local]
        if local in self.module_defs:
            return f"{self.module}.{local}" if self.module else local
        return None


def _class(node: ast.ClassDef, prefix: str, record: ModuleRecord, context: _Context) -> None:
    name = f"{prefix}{node.name}"
    record.classes[name] = tuple(
        n for base in node.bases for n in _names_of(base, context, owner=None, local=set())
    )
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = _function(child, name, context)
            record.functions[function.qualname] = function
        elif isinstance(child, ast.ClassDef):
            _class(child, f"{name}.", record, context)


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, context: _Context
) -> Function:
    qualname = f"{owner}.{node.name}" if owner else node.name
    local = _local_names(node)
    body = list(_own_nodes(node))
    calls = []
    awaited = {id(n.value) for n in body if isinstance(n, ast.Await)}
    lazy = _lazy_nodes(node)
    locked = _locked_nodes(node)
    for child in body:
        if not isinstance(child, ast.Call):
            continue
        names = tuple(_names_of(child.func, context, owner, local))
        if not names:
            continue
        where = "generator" if id(child) in lazy else "locked" if id(child) in locked else ""
        line, col = _position(child, context.lines)
        calls.append(Call(names, line, col, id(child) in awaited, where, ast.unparse(child.func)))
    objects = {k: v for k, v in context.objects.items() if k not in local}
    objects.update(_objects(body, context.imports))
    for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
        if argument.annotation is not None:
            kind = _kind(argument.annotation, context.imports, ANNOTATIONS)
            if kind:
                objects[argument.arg] = kind
    object_calls = []
    for child in body:
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and isinstance(child.func.value, ast.Name)
            and child.func.value.id in objects
            and id(child) not in awaited
            and method_blocks(objects[child.func.value.id], child.func.attr)
        ):
            line, col = _position(child, context.lines)
            kind = objects[child.func.value.id]
            name = f"{child.func.value.id}.{child.func.attr}"
            object_calls.append((f"{name} ({kind.value})", line, col))
    reads = {n.id for n in body if isinstance(n, ast.Name) and n.id not in local}
    bound = sorted(context.thread_bound[n] for n in reads if n in context.thread_bound)
    line, col = _position(node, context.lines)
    def_line = context.lines[node.lineno - 1] if node.lineno <= len(context.lines) else ""
    return Function(
        qualname=qualname,
        line=line,
        col=col,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_generator=any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in body),
        calls=tuple(calls),
        owner=owner,
        decorators=tuple(ast.unparse(d) for d in node.decorator_list),
        thread_bound=f"it reads {bound[0]}" if bound else "",
        cpu_bound_marker=CPU_BOUND_MARKER in def_line,
        object_calls=tuple(object_calls),
    )


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
                kind = _kind(value.func, imports, CONSTRUCTORS)
                if kind:
                    found[target.id] = kind
    return found


def _kind(
    expression: ast.AST, imports: dict[str, str], table: dict[str, ObjectKind]
) -> ObjectKind | None:
    """The kind ``table`` gives the dotted name ``expression`` resolves to, or None."""
    try:
        dotted = ast.unparse(expression)
    except (ValueError, TypeError):
        return None
    root, _, rest = dotted.partition(".")
    qualified = imports.get(root, "builtins." + root if not rest else root)
    return table.get(qualified + ("." + rest if rest else ""))


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node of a function's body, not descending into nested functions, lambdas or
    classes (their code runs elsewhere, later, or never)."""
    stack = list(reversed(getattr(node, "body", [])))
    while stack:
        child = stack.pop()
        yield child
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # Decorators and defaults run here; the body does not.
            stack.extend(child.decorator_list)
            if not isinstance(child, ast.ClassDef):
                stack.extend(d for d in child.args.defaults if d is not None)
                stack.extend(d for d in child.args.kw_defaults if d is not None)
            continue
        if isinstance(child, ast.Lambda):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(child))))


def _lazy_nodes(function: ast.AST) -> set[int]:
    """ids of the nodes that run lazily inside generator expressions (all but the first
    iterable)."""
    lazy: set[int] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.GeneratorExp):
            first = node.generators[0].iter
            for inner in ast.walk(node):
                if inner is not node and not _inside(inner, first):
                    lazy.add(id(inner))
            for inner in ast.walk(first):
                lazy.discard(id(inner))
    return lazy


def _inside(node: ast.AST, container: ast.AST) -> bool:
    return any(inner is node for inner in ast.walk(container))


def _locked_nodes(function: ast.AST) -> set[int]:
    """ids of the nodes inside a plain ``with`` on something named like a lock."""
    locked: set[int] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.With) and any(_is_lock(item.context_expr) for item in node.items):
            for statement in node.body:
                locked.update(id(inner) for inner in ast.walk(statement))
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
    return bool(_LOCK_NAME.search(name))


def _local_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names bound in the function (parameters, assignments, imports inside it)."""
    args = node.args
    names = {
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    }
    for child in _own_nodes(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
    globals_ = {
        n for child in _own_nodes(node) if isinstance(child, ast.Global) for n in child.names
    }
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


def _imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> qualified name, for every import in the module (any depth)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(_bound_by_import(node, module, is_package))
    return bound


def _bound_by_import(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool
) -> Iterable[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".")[0]
                yield top, top
        return
    base = _absolute(node, module, is_package)
    if base is None:
        return
    for alias in node.names:
        if alias.name == "*":
            continue
        yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str | None:
    """The absolute module a ``from`` import names; None if it climbs above the top."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    climb = node.level - 1
    if climb > len(package):
        return None
    base = package[: len(package) - climb]
    if node.module:
        base = [*base, *node.module.split(".")]
    return ".".join(base)


def _thread_bound_globals(tree: ast.Module, imports: dict[str, str]) -> dict[str, str]:
    """Module-level names bound to thread-bound objects, and what each is."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            func = node.value.func
            dotted = ast.unparse(func)
            root, _, rest = dotted.partition(".")
            qualified = imports.get(root, root) + ("." + rest if rest else "")
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


def _position(node: ast.AST, lines: list[str]) -> tuple[int, int]:
    """1-based line and 1-based column in characters (``ast`` counts UTF-8 bytes)."""
    line = node.lineno  # type: ignore[attr-defined]
    offset = node.col_offset  # type: ignore[attr-defined]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line, len(text.encode("utf-8")[:offset].decode("utf-8", errors="replace")) + 1
