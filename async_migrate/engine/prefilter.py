"""Cheap stages that decide whether a file needs libcst at all.

1. bytes: the file must contain ``async def`` and one of a codemod's tokens;
2. ``ast``: some name used inside an ``async def`` must resolve, through the
   module's imports, to one of a codemod's candidate names.

Both stages only ever say "maybe" too often, never "no" wrongly: a name that
cannot be resolved is kept as it is written, every import of a name counts
wherever it is, and the whole ``async def`` (nested code included) is searched.
This module imports neither libcst nor any codemod.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from codemods.core import parsed
from codemods.core.spec import Targets

COROUTINE = re.compile(rb"async[ \t\\\r\n]+def\b")


def has_coroutine(data: bytes) -> bool:
    return COROUTINE.search(data) is not None


def coroutine_lines(data: bytes) -> list[int]:
    """The lines (1-based) where ``async def`` starts: a superset of the coroutines' first
    lines (the bytes may also sit in a string or a comment)."""
    found, line, seen = [], 1, 0
    for match in COROUTINE.finditer(data):  # counting each stretch of newlines once
        line += data.count(b"\n", seen, match.start())
        seen = match.start()
        found.append(line)
    return found


def needing_libcst(
    data: bytes, targets: dict[str, Targets], whole: bytes | None = None
) -> list[str]:
    """The names of the codemods (keys of ``targets``) that may change or report ``data``;
    ``whole``: the module ``data`` is a slice of (what its classes keep on ``self`` is
    read there)."""
    if not has_coroutine(data):
        return []
    # A method stood in for in a slice may hold the constructor of what its class keeps.
    by_bytes = [name for name, t in targets.items() if t.bytes_may_match(whole or data)]
    if not by_bytes:
        return []
    decided = [n for n in by_bytes if not targets[n].names or _has_marker(targets[n], data)]
    undecided = [n for n in by_bytes if n not in decided]
    if not undecided:
        return decided
    usage = _usage(data, whole)
    if usage is None:  # ast cannot parse it: let libcst decide and report
        return by_bytes
    return [
        n
        for n in by_bytes
        if n in decided
        or _matches(targets[n].names, usage.in_coroutines)
        or usage.uses_object(targets[n].anywhere, None, targets[n].objects_from_arguments)
    ]


def _has_marker(targets: Targets, data: bytes) -> bool:
    return any(marker in data for marker in targets.markers)


def _matches(names: frozenset[str], used: set[str]) -> bool:
    if not used:
        return False
    if names & used:
        return True
    attributes, prefixes = _patterns(names)
    if attributes and any(u.rpartition(".")[2] in attributes for u in used):
        return True
    return bool(prefixes) and any(u.startswith(prefixes) for u in used)


@lru_cache(maxsize=64)
def _patterns(names: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The attribute names (``*.wait``) and the prefixes (``pathlib.*``) among ``names``."""
    attributes = frozenset(n[2:] for n in names if n.startswith("*."))
    return attributes, tuple(n[:-1] for n in names if n.endswith(".*"))


@dataclass
class _Usage:
    """What the coroutines of a module use, and what the names they may see are bound to."""

    #: Every dotted name a Name or Attribute inside an ``async def`` may refer to.
    in_coroutines: set[str]
    #: Every bare identifier inside an ``async def`` that may refer to a binding outside it
    #: (not one its own scope binds).
    coroutine_ids: set[str]
    #: Identifier -> the dotted names in each expression bound to it (assigned, ``with ...
    #: as`` it, annotated) in a scope a coroutine can see: the module, classes, and the
    #: functions that enclose a coroutine.
    bindings: dict[str, set[str]]
    #: The same, without the names in calls' arguments: what makes the value, or is it
    #: (``cursor`` of ``conn.cursor()``, not ``engine`` of ``sessionmaker(bind=engine)``).
    made_by: dict[str, set[str]]
    #: For each outermost coroutine, by the line of its ``async def``: the same two sets,
    #: and the attribute names it spells.
    per_coroutine: dict[int, tuple[set[str], set[str], set[str]]]
    #: For each outermost coroutine, by the line of its ``async def``: the dotted names its
    #: calls' callees may refer to.
    called: dict[int, set[str]] = field(default_factory=dict)
    #: For each outermost coroutine, by the line of its ``async def``: the names of the
    #: methods it calls (``wait`` for ``event.wait()``), whatever they are called on.
    methods: dict[int, set[str]] = field(default_factory=dict)
    #: What :meth:`uses_object` found bound, by the constructors asked about.
    _objects: dict[tuple[frozenset[str], bool], set[str]] = field(default_factory=dict)

    def uses_object(
        self,
        constructors: frozenset[str],
        ids: set[str] | None = None,
        through_arguments: bool = True,
    ) -> bool:
        """True if a coroutine (one with the identifiers ``ids``; any, by default) uses a
        name bound, outside it, to one of ``constructors`` (a call or an annotation),
        directly or through another such name (``cur = conn.cursor()``); without
        ``through_arguments``, not through a name only passed to a call
        (``Session = sessionmaker(bind=engine)``)."""
        if not constructors:
            return False
        key = (constructors, through_arguments)
        objects = self._objects.get(key)
        if objects is None:
            bindings = self.bindings if through_arguments else self.made_by
            objects = self._objects[key] = _objects_of(constructors, bindings)
        return bool(objects & (self.coroutine_ids if ids is None else ids))


def _objects_of(constructors: frozenset[str], bindings: dict[str, set[str]]) -> set[str]:
    """The identifiers bound to one of ``constructors``, or through such a name."""
    objects = {i for i, names in bindings.items() if _matches(constructors, names)}
    grew = bool(objects)
    while grew:
        more = {
            i
            for i, names in bindings.items()
            if i not in objects and any(n in objects or n.split(".")[0] in objects for n in names)
        }
        objects |= more
        grew = bool(more)
    return objects


@lru_cache(maxsize=2)
def _usage(data: bytes, whole: bytes | None = None) -> _Usage | None:
    """What :class:`_Usage` says of ``data``; None if ``ast`` cannot parse it. The objects
    the classes keep on ``self`` are read from ``whole`` when ``data`` is a slice of it.

    Sync functions that contain no coroutine are not searched: what they bind is local to
    them, unless they hold a ``global`` or ``nonlocal`` statement (then they are)."""
    tree = parsed.parse(data)
    if tree is None:
        return None
    lines = coroutine_lines(data)
    declarations = b"global" in data or b"nonlocal" in data
    coroutines: list[ast.AsyncFunctionDef] = []
    outside: list[ast.AST] = []  # nodes seen in the scopes coroutines can see

    def visit(node: ast.AST) -> None:
        for child in parsed.children(node):
            if isinstance(child, ast.AsyncFunctionDef):
                coroutines.append(child)
                continue
            if (
                isinstance(child, ast.FunctionDef)
                and not _encloses(child, lines)
                and not (declarations and parsed.declares_outside(child))
            ):
                continue
            outside.append(child)
            visit(child)

    visit(tree)
    imports = _imports(outside + [n for c in coroutines for n in parsed.statements(c)])
    returns = _annotated_returns(tree, imports)
    per_coroutine: dict[int, tuple[set[str], set[str], set[str]]] = {}
    called: dict[int, set[str]] = {}
    methods: dict[int, set[str]] = {}
    for coroutine in coroutines:
        names: set[str] = set()
        ids: set[str] = set()
        attributes: set[str] = set()
        local = _bound_in_scope(coroutine)
        callees = called.setdefault(coroutine.lineno, set())
        calls_of = methods.setdefault(coroutine.lineno, set())
        own: set[int] = set()  # the names that are a comprehension's own variables
        resolved: dict[int, set[str]] = {}  # a callee's names, for when it is visited
        for node in _running_in(coroutine):
            cls = node.__class__
            if cls is ast.Call:
                func = node.func  # type: ignore[attr-defined]
                if func.__class__ is ast.Name or func.__class__ is ast.Attribute:
                    found = resolved[id(func)] = _resolve(func, imports, local)
                    callees.update(found)
                    if func.__class__ is ast.Attribute:
                        calls_of.add(func.attr)
                    for passed in _called_by(node):  # map(f, ...), sorted(..., key=f)
                        found = _resolve(passed, imports, local)
                        callees.update(found)
                        names.update(found)
            elif cls in parsed.COMPREHENSIONS:
                own.update(parsed.comprehension_own(node))
            elif cls is ast.Name:
                names.update(resolved.get(id(node)) or _resolve(node, imports, local))
                if id(node) not in own:
                    ids.add(node.id)  # type: ignore[attr-defined]
            elif cls is ast.Attribute:
                names.update(resolved.get(id(node)) or _resolve(node, imports, local))
                attributes.add(node.attr)  # type: ignore[attr-defined]
                if node.value.__class__ is ast.Name:  # type: ignore[attr-defined]
                    ids.add(_KEPT + node.attr)  # type: ignore[attr-defined]  # kept on ``self``
        for name in (ids - local) | attributes:  # a call of a function returning an object
            names.update(returns.get(name, ()))
        per_coroutine[coroutine.lineno] = (names, ids - local, attributes)
    in_coroutines = {n for names, _, _ in per_coroutine.values() for n in names}
    coroutine_ids = {i for _, ids, _ in per_coroutine.values() for i in ids}
    bindings: dict[str, set[str]] = {}
    made_by: dict[str, set[str]] = {}
    kept_in = parsed.parse(whole) if whole is not None else tree
    pairs = (pair for node in outside for pair in _bound(node))
    for name, expression, declared in itertools.chain(pairs, _kept_on_instances(kept_in or tree)):
        names = bindings.setdefault(name, set())
        made = made_by.setdefault(name, set())
        for inner, passed in _names_in(expression, declared):
            found = _resolve(inner, imports)
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                found = {*found, _KEPT + inner.attr}  # ``self.directory / "ready"``
            names.update(found)
            if not passed:
                made.update(found)
    return _Usage(in_coroutines, coroutine_ids, bindings, made_by, per_coroutine, called, methods)


def _names_in(
    expression: ast.AST, annotation: bool = False
) -> Iterator[tuple[ast.Name | ast.Attribute, bool]]:
    """Each name and attribute in ``expression``, and whether it is passed along rather
    than making or being the value: in a call's arguments, or, in an ``annotation``, a type
    argument other than ``Optional``'s (``List[Engine]`` declares a list; ``Union[A, B]``
    declares no one kind, as the codemods read annotations)."""
    stack: list[tuple[ast.AST, bool]] = [(expression, False)]
    while stack:
        node, passed = stack.pop()
        if isinstance(node, (ast.Name, ast.Attribute)):
            yield node, passed
        if isinstance(node, ast.Call):
            stack.append((node.func, passed))
            stack.extend((argument, True) for argument in (*node.args, *node.keywords))
        elif annotation and isinstance(node, ast.Subscript):
            value = node.value
            last = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
            stack.append((value, passed))
            stack.append((node.slice, passed or last != "Optional"))
        else:
            stack.extend((child, passed) for child in parsed.children(node))


def _called_by(call: ast.Call) -> list[ast.AST]:
    """The functions ``call`` is given to call (a name or dotted name): the first argument
    of ``map`` and ``filter``, a ``key``, or the callees of the calls a ``key`` lambda
    makes."""
    passed: list[ast.AST] = [k.value for k in call.keywords if k.arg == "key"]
    for key in list(passed):
        if isinstance(key, ast.Lambda):
            passed += [n.func for n in parsed.walk(key.body) if isinstance(n, ast.Call)]
    if isinstance(call.func, ast.Name) and call.func.id in ("map", "filter") and call.args:
        passed.append(call.args[0])
    return [p for p in passed if isinstance(p, (ast.Name, ast.Attribute))]


def _annotated_returns(tree: ast.Module, imports: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each name of a sync function (or method) of the module annotated to return a
    dotted name: the names that annotation may refer to (``-> Path``: ``pathlib.Path``,
    ...). A coroutine that names such a function may get that object from it."""
    found: dict[str, set[str]] = {}
    for statement in parsed.statements(tree):
        if isinstance(statement, ast.FunctionDef) and isinstance(
            statement.returns, (ast.Name, ast.Attribute)
        ):
            found.setdefault(statement.name, set()).update(_resolve(statement.returns, imports))
    return found


def _running_in(coroutine: ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of ``coroutine`` that run in it or in a coroutine nested in it: not the
    bodies of the sync functions, lambdas and classes it defines, which run elsewhere and
    which no codemod rewrites or reports on (their decorators, defaults and bases do run in
    it), nor their annotations, which no codemod rewrites either and which declare what
    their parameters are only in those bodies."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [coroutine]
    pop, push, extend, add = stack.pop, found.append, stack.extend, stack.append
    fields_of = parsed.node_fields
    while stack:
        node = pop()
        push(node)
        cls = node.__class__
        if cls is ast.FunctionDef or cls is ast.Lambda:
            arguments = node.args  # type: ignore[attr-defined]
            extend(d for d in (*arguments.defaults, *arguments.kw_defaults) if d)
            if cls is ast.FunctionDef:
                extend(node.decorator_list)  # type: ignore[attr-defined]
            continue
        if cls is ast.ClassDef:
            extend([*node.decorator_list, *node.bases, *node.keywords])  # type: ignore[attr-defined]
            continue
        # parsed.children, inline: a call per node made the prefilter a quarter slower
        for name in fields_of(cls):
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        add(item)
            elif isinstance(value, ast.AST):
                add(value)
    return found


def coroutine_interest(
    data: bytes, targets: dict[str, Targets], whole: bytes | None = None
) -> dict[str, frozenset[int] | None] | None:
    """For each codemod (key of ``targets``), the outermost coroutines it may change or
    report, by the line of their ``async def``; None for a codemod that may act in any of
    them. None if ``ast`` cannot parse ``data``. Like the module-level stages, this only
    ever says "maybe" too often: a coroutine left out holds no name the codemod looks for.
    ``whole``: the module ``data`` is a slice of.
    """
    usage = _usage(data, whole)
    if usage is None:
        return None
    interest: dict[str, frozenset[int] | None] = {}
    for name, wanted in targets.items():
        if not wanted.names or _has_marker(wanted, data):
            interest[name] = None
            continue
        interest[name] = frozenset(
            line
            for line, (names, ids, attributes) in usage.per_coroutine.items()
            if _wants(wanted, usage, names, ids, attributes, usage.called[line], line)
        )
    return interest


def _wants(
    wanted: Targets,
    usage: _Usage,
    names: set[str],
    ids: set[str],
    attributes: set[str],
    called: set[str],
    line: int,
) -> bool:
    """Whether a coroutine (its ``async def`` on ``line``) that uses ``names``, the outside
    identifiers ``ids`` and the attribute names ``attributes``, and calls ``called``, may
    give the codemod that looks for ``wanted`` work."""
    targets, anywhere = wanted.names, wanted.anywhere
    methods_called = usage.methods[line]  # not only named: ``asyncio.to_thread(event.wait,
    # 5)`` calls nothing of the event in the coroutine
    unused = {o for o, methods in wanted.object_methods.items() if not methods_called & methods}
    if unused:  # objects none of whose blocking methods the coroutine calls
        targets, anywhere = targets - unused, anywhere - unused

    def mentioned(targets: frozenset[str]) -> bool:
        if not wanted.calls_only:
            return _matches(targets, names)
        objects = targets & anywhere - wanted.made_by_calls
        return _matches(targets - objects, called) or _matches(objects, names)

    if wanted.methods and not attributes & wanted.methods:
        return mentioned(targets - wanted.gated)
    return mentioned(targets) or usage.uses_object(anywhere, ids, wanted.objects_from_arguments)


def _bound_in_scope(function: ast.AsyncFunctionDef | ast.FunctionDef) -> frozenset[str]:
    """The names ``function``'s own scope binds (parameters, assignment targets, imports,
    ``except ... as``, nested definitions), except those it declares ``global`` or
    ``nonlocal``: inside it, none of them is a builtin or a name bound outside. Names bound
    only in nested scopes are left out, so that a use elsewhere still may be one."""
    bound = parsed.parameter_names(function.args)
    declared: set[str] = set()  # global or nonlocal: bound outside
    pending: list[ast.AST] = list(function.body)
    pop, add = pending.pop, pending.append
    fields_of = parsed.node_fields
    while pending:
        node = pop()
        cls = node.__class__
        if cls in parsed.DEFINITIONS:
            bound.add(node.name)  # type: ignore[attr-defined]
            continue
        if cls is ast.Lambda or cls in parsed.COMPREHENSIONS:
            continue
        if cls is ast.Name:
            if node.ctx.__class__ is not ast.Load:  # type: ignore[attr-defined]
                bound.add(node.id)  # type: ignore[attr-defined]
            continue
        if cls is ast.Import or cls is ast.ImportFrom:
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)  # type: ignore[attr-defined]
        elif cls is ast.ExceptHandler:
            if node.name:  # type: ignore[attr-defined]
                bound.add(node.name)  # type: ignore[attr-defined]
        elif cls is ast.Global or cls is ast.Nonlocal:
            declared.update(node.names)  # type: ignore[attr-defined]
        for name in fields_of(cls):  # parsed.children, inline (see _running_in)
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        add(item)
            elif isinstance(value, ast.AST):
                add(value)
    return frozenset(bound - declared)


def _encloses(node: ast.AST, lines: list[int]) -> bool:
    end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
    return any(node.lineno <= line <= end for line in lines)  # type: ignore[attr-defined]


def _bound(node: ast.AST) -> Iterable[tuple[str, ast.AST, bool]]:
    """(identifier, expression, whether it is an annotation) for each name ``node`` binds
    to an expression or declares."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            for name in _target_names(target):
                yield name, node.value, False
    elif isinstance(node, ast.AnnAssign):
        for name in _target_names(node.target):
            yield name, node.annotation, True
            if node.value is not None:
                yield name, node.value, False
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        for name in _target_names(node.optional_vars):
            yield name, node.context_expr, False
    elif isinstance(node, ast.NamedExpr):
        yield node.target.id, node.value, False
    elif isinstance(node, ast.arg) and node.annotation is not None:
        yield node.arg, node.annotation, True


#: Starts the identifier of an attribute a method binds on an object (``self.log = ...``
#: binds ``.log``); a coroutine that reads ``<name>.log`` uses it.
_KEPT = "."


def _kept_on_instances(tree: ast.Module) -> Iterator[tuple[str, ast.AST, bool]]:
    """(``.<attribute>``, expression, whether it is an annotation) for each object the
    methods of a class that holds a coroutine method (or of a class of the module it
    derives from) keep on an object
    (``self.log = open(path)``, ``self.log: IO``, ``with open(path) as self.log``): a
    coroutine of the class that reads ``self.log`` uses it."""
    classes = [node for node in parsed.statements(tree) if isinstance(node, ast.ClassDef)]
    by_name = {node.name: node for node in classes}
    wanted = [c for c in classes if any(isinstance(m, ast.AsyncFunctionDef) for m in c.body)]
    seen: set[int] = set()
    while wanted:  # the classes holding a coroutine, and those they derive from
        node = wanted.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        wanted += [
            by_name[base.id]
            for base in node.bases
            if isinstance(base, ast.Name) and base.id in by_name
        ]
        for method in node.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            arguments = method.args
            annotated = {  # ``self.conn = conn`` keeps what ``conn: T`` declares
                a.arg: a.annotation
                for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
                if a.annotation is not None
            }
            for statement in parsed.statements(method):
                if isinstance(statement, ast.Assign):
                    value = statement.value
                    declared = isinstance(value, ast.Name) and value.id in annotated
                    if declared:
                        value = annotated[value.id]  # type: ignore[union-attr]
                    for target in statement.targets:
                        if _on_a_name(target):
                            yield _KEPT + target.attr, value, declared  # type: ignore[attr-defined]
                elif isinstance(statement, ast.AnnAssign) and _on_a_name(statement.target):
                    kept = _KEPT + statement.target.attr  # type: ignore[attr-defined]
                    yield kept, statement.annotation, True
                    if statement.value is not None:
                        yield kept, statement.value, False
                elif isinstance(statement, (ast.With, ast.AsyncWith)):
                    for item in statement.items:
                        if item.optional_vars is not None and _on_a_name(item.optional_vars):
                            kept = _KEPT + item.optional_vars.attr  # type: ignore[attr-defined]
                            yield kept, item.context_expr, False


def _on_a_name(target: ast.AST) -> bool:
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)


def _target_names(target: ast.AST) -> Iterable[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _imports(nodes: Iterable[ast.AST]) -> dict[str, set[str]]:
    """Local name -> the dotted names any import among ``nodes`` binds it to."""
    bound: dict[str, set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound.setdefault(alias.asname, set()).add(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bound.setdefault(top, set()).add(top)
        elif isinstance(node, ast.ImportFrom):
            # Relative, as libcst's qualified names spell it: ``from ..requests import
            # get`` binds ``..requests.get``, which is not ``requests.get``.
            dots = "." * node.level
            prefix = f"{dots}{node.module}." if node.module else dots
            for alias in node.names:
                local = alias.asname or alias.name
                bound.setdefault(local, set()).add(prefix + alias.name)
    return bound


def _resolve(
    node: ast.AST, imports: dict[str, set[str]], local: frozenset[str] = frozenset()
) -> set[str]:
    """The dotted names ``node`` may refer to. A name in ``local`` (bound in the coroutine's
    own scope) is neither a builtin nor, unless an import binds it, a module: libcst names
    a parameter ``redis`` ``f.<locals>.redis``, which no codemod looks for."""
    attrs: list[str] = []
    while node.__class__ is ast.Attribute:
        attrs.append(node.attr)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    suffix = "." + ".".join(reversed(attrs)) if attrs else ""
    if node.__class__ is ast.Name:
        name = node.id  # type: ignore[attr-defined]
        found = {base + suffix for base in imports.get(name, ())}
        if name not in local:
            found.add(name + suffix)
            found.add("builtins." + name + suffix)
        return found
    return {"?" + suffix} if suffix else set()
