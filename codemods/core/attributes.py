"""The kinds of the objects a class keeps on ``self`` (a file, a sqlite3 connection, a
redis client, ...), read from the whole module with ``ast``, as a type checker reads them:
``self.log = open(path, "a")`` in any method makes ``self.log`` a file in every method of
the class.

An attribute has a kind when every binding of it in the class (and in the classes of the
module it derives from, by plain name) says that kind: each
assignment ``self.<attr> = <constructor>(...)`` (or ``None``, as in a ``close`` that drops
it), a ``with <constructor>(...) as self.<attr>``, an annotation (``self.<attr>: T`` in a
method, ``<attr>: T`` in the class body) declaring it, and at least one of them not
``None``. Anything else bound to it (another value, a tuple target, ``del``, an augmented
assignment), or a method, property or nested class of that name, leaves it unknown.

The engine reads the kinds from the whole module and hands them to the codemods, which
see only a slice of it (the method that binds the attribute may be left out).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache

from codemods.core import parsed
from codemods.core.bindings import looked_up, module_bindings, qualified_name
from codemods.core.catalogue import ANNOTATIONS, CONSTRUCTORS, ObjectKind
from codemods.core.filesystem import PATH_CLASSES, PATH_CONSTRUCTORS, PATH_DERIVED

#: (the class's qualified name in its module, the attribute) -> its kind.
AttributeKinds = dict[tuple[str, str], ObjectKind]

#: A binding that gives no kind (a value of unknown kind), and one that drops the object.
_UNKNOWN = "unknown"
_NONE = "none"


@lru_cache(maxsize=4)
def attribute_kinds(data: bytes) -> AttributeKinds:
    """The kinds of the attributes the classes of ``data`` keep on ``self`` (empty when
    ``ast`` cannot parse it)."""
    tree = parsed.parse(data)
    if tree is None:
        return {}
    return kinds_in(tree, module_bindings(tree, "", False))


def kinds_in(tree: ast.Module, imports: dict[str, str]) -> AttributeKinds:
    """What :func:`attribute_kinds` says of a parsed module whose names ``imports`` maps
    to their qualified names."""
    classes = dict(_classes(tree.body, ""))
    paths: dict[str, frozenset[str]] = {}  # class -> its attributes known to be Paths
    for _ in range(3):  # ``self.marker = self.directory / "ready"``: Paths made of Paths
        own = {
            name: _class_bindings(node, imports, paths.get(name, frozenset()))
            for name, node in classes.items()
        }
        found = _kinds(classes, own)
        known: dict[str, frozenset[str]] = {}
        for (owner, attribute), kind in found.items():
            if kind is ObjectKind.PATH:
                known[owner] = known.get(owner, frozenset()) | {attribute}
        if known == paths:
            break
        paths = known
    return found


def _kinds(
    classes: dict[str, ast.ClassDef],
    own: dict[str, tuple[dict[str, list[ObjectKind | str]], set[str]]],
) -> AttributeKinds:
    found: AttributeKinds = {}
    for qualname in classes:
        seen: dict[str, list[ObjectKind | str]] = {}
        members: set[str] = set()
        for ancestor in _lineage(qualname, classes):
            bound, defined = own[ancestor]
            for attribute, kinds in bound.items():
                seen.setdefault(attribute, []).extend(kinds)
            members |= defined
        for attribute, kind in _decided(seen, members).items():
            found[qualname, attribute] = kind
    return found


def _lineage(qualname: str, classes: dict[str, ast.ClassDef]) -> list[str]:
    """The class and its ancestors defined in the module, as far as plain names of its
    top-level classes say (``class Store(Base)``); a base of any other kind adds nothing
    (its bindings are not known, and they may say another kind)."""
    found: list[str] = []
    queue = [qualname]
    while queue:
        name = queue.pop(0)
        if name in found:
            continue
        found.append(name)
        for base in classes[name].bases:
            if isinstance(base, ast.Name) and base.id in classes:
                queue.append(base.id)
    return found


def receiver(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The name of the instance in a method (its first parameter), unless it is a static
    or class method."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod"):
            return None
    parameters = [*function.args.posonlyargs, *function.args.args]
    return parameters[0].arg if parameters else None


def _classes(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.ClassDef]]:
    """The classes of a module or class body (those in ``if``/``try`` blocks too), with
    their qualified names; not those defined in functions."""
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            name = prefix + statement.name
            yield name, statement
            yield from _classes(statement.body, name + ".")
        elif isinstance(statement, (ast.If, ast.Try, ast.With)) or _is_try_star(statement):
            for block in parsed.block_items(statement):
                if isinstance(block, ast.stmt):
                    yield from _classes([block], prefix)
                else:  # an except handler
                    yield from _classes(getattr(block, "body", []), prefix)


def _is_try_star(statement: ast.stmt) -> bool:
    return statement.__class__.__name__ == "TryStar"


def _class_bindings(
    node: ast.ClassDef, imports: dict[str, str], paths: frozenset[str]
) -> tuple[dict[str, list[ObjectKind | str]], set[str]]:
    """What one class's own body and methods bind to each attribute, and its members
    (methods, properties, nested classes: not plain data); ``paths``: its attributes known
    to be Paths."""
    seen: dict[str, list[ObjectKind | str]] = {}
    members: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members.add(statement.name)
            instance = receiver(statement)
            if instance is not None:
                for attribute, kind in _bound_on(statement, instance, imports, paths):
                    seen.setdefault(attribute, []).append(kind)
        elif isinstance(statement, ast.ClassDef):
            members.add(statement.name)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            kind = _annotated(statement.annotation, imports)
            seen.setdefault(statement.target.id, []).append(kind or _UNKNOWN)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):  # a default, or an object all share
                    seen.setdefault(target.id, []).append(_assigned(statement.value, imports))
                    continue
                for name in _names(target):
                    seen.setdefault(name, []).append(_UNKNOWN)
    return seen, members


def _decided(seen: dict[str, list[ObjectKind | str]], members: set[str]) -> dict[str, ObjectKind]:
    """The attributes whose every binding says one kind (``None`` aside)."""
    kinds: dict[str, ObjectKind] = {}
    for attribute, bound in seen.items():
        known = {k for k in bound if k != _NONE}
        if attribute in members or len(known) != 1:
            continue
        (kind,) = known
        if isinstance(kind, ObjectKind):
            kinds[attribute] = kind
    return kinds


def _bound_on(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    receiver: str,
    imports: dict[str, str],
    paths: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, ObjectKind | str]]:
    """Each binding of an attribute of ``receiver`` in the function's own code, with the
    kind it gives (statements only: no expression binds an attribute). A parameter
    annotated with a kind gives it (``self.conn = conn`` after ``conn: sqlite3.Connection``)
    when the function binds that name nowhere else."""
    statements = list(_own_statements(function))
    parameters = _annotated_parameters(function, statements, imports)
    for node in statements:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                attribute = _attribute(target, receiver)
                if attribute is not None:
                    value = node.value
                    if isinstance(value, ast.Name) and value.id in parameters:
                        yield attribute, parameters[value.id]
                    else:
                        yield attribute, _assigned(value, imports, (receiver, paths))
                elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
                    for inner in parsed.walk(target):
                        attribute = _attribute(inner, receiver)
                        if attribute is not None:
                            yield attribute, _UNKNOWN
        elif isinstance(node, ast.AnnAssign):
            attribute = _attribute(node.target, receiver)
            if attribute is not None:
                declared = _annotated(node.annotation, imports)
                yield (
                    attribute,
                    declared
                    or (
                        _assigned(node.value, imports, (receiver, paths))
                        if node.value is not None
                        else _UNKNOWN
                    ),
                )
        elif isinstance(node, (ast.AugAssign, ast.Delete, ast.For, ast.AsyncFor)):
            targets = node.targets if isinstance(node, ast.Delete) else [node.target]
            for target in targets:
                for inner in parsed.walk(target):
                    attribute = _attribute(inner, receiver)
                    if attribute is not None:
                        yield attribute, _UNKNOWN
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is None:
                    continue
                attribute = _attribute(item.optional_vars, receiver)
                if attribute is not None:  # files, clients and connections return themselves
                    yield attribute, _assigned(item.context_expr, imports)
                else:
                    for inner in parsed.walk(item.optional_vars):
                        attribute = _attribute(inner, receiver)
                        if attribute is not None:
                            yield attribute, _UNKNOWN


def _annotated_parameters(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    statements: list[ast.AST],
    imports: dict[str, str],
) -> dict[str, ObjectKind]:
    """The function's parameters annotated with a kind that its own statements never bind
    again, and their kinds."""
    arguments = function.args
    found: dict[str, ObjectKind] = {}
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        if argument.annotation is not None:
            kind = _annotated(argument.annotation, imports)
            if kind is not None:
                found[argument.arg] = kind
    if found:
        for statement in statements:
            for node in parsed.walk(statement):
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    found.pop(node.id, None)
    return found


def _own_statements(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The statements of a function's own body, nested blocks included, not those of the
    functions and classes it defines."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(parsed.block_items(node))


def _attribute(target: ast.AST, receiver: str) -> str | None:
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == receiver
    ):
        return target.attr
    return None


def _names(target: ast.AST) -> Iterator[str]:
    for node in parsed.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


#: The instance's name in a method, and the attributes of it known to be Paths.
_Kept = tuple[str, frozenset[str]]


def _assigned(
    value: ast.AST, imports: dict[str, str], kept: _Kept = ("", frozenset())
) -> ObjectKind | str:
    """The kind an assigned value gives: a constructor's, a Path for a ``pathlib.Path``
    made in the expression (of one the instance keeps, too), none for ``None``."""
    if isinstance(value, ast.Constant) and value.value is None:
        return _NONE
    if isinstance(value, ast.Call):
        kind = looked_up(value.func, imports, CONSTRUCTORS)
        if kind is not None:
            return kind
    if _makes_path(value, imports, kept):
        return ObjectKind.PATH
    return _UNKNOWN


def _makes_path(value: ast.AST, imports: dict[str, str], kept: _Kept, depth: int = 0) -> bool:
    """Whether ``value`` is a ``pathlib.Path`` by how it is built: a Path class called,
    ``Path.cwd()``/``home()``, ``/`` on one, its ``parent``, or a method of one that returns
    one (as the ``files`` codemod proves a constructed Path)."""
    if depth > 12:
        return False
    if isinstance(value, ast.Call):
        if qualified_name(value.func, imports) in PATH_CLASSES:
            return True
        func = value.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr in PATH_CONSTRUCTORS:
            return qualified_name(func.value, imports) in PATH_CLASSES
        return func.attr in PATH_DERIVED and _makes_path(func.value, imports, kept, depth + 1)
    if isinstance(value, ast.Attribute) and value.attr == "parent":
        return _makes_path(value.value, imports, kept, depth + 1)
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        return value.value.id == kept[0] and value.attr in kept[1]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div):
        return _makes_path(value.left, imports, kept, depth + 1)
    return False


def _annotated(annotation: ast.AST, imports: dict[str, str]) -> ObjectKind | None:
    """The kind an annotation declares (``T``, ``T | None``, ``Optional[T]``)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [
            s
            for s in (annotation.left, annotation.right)
            if not (isinstance(s, ast.Constant) and s.value is None)
        ]
        return _annotated(sides[0], imports) if len(sides) == 1 else None
    if isinstance(annotation, ast.Subscript):
        if qualified_name(annotation.value, imports) in ("typing.Optional", "Optional"):
            return _annotated(annotation.slice, imports)
        return None
    return looked_up(annotation, imports, ANNOTATIONS)
