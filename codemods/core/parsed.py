"""One ``ast`` parse per source for every cheap stage that needs one.

The engine's prefilter and the ``cpu`` codemod's prescan both look at the same module
with :mod:`ast`; parsing it once for both halves that stage's cost. Free of libcst.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from functools import lru_cache


@lru_cache(maxsize=4)
def parse(source: bytes) -> ast.Module | None:
    """The module ``source`` parses to, or None if ``ast`` cannot parse it. The last four
    are kept: a module's migration reads its input, a codemod's output and the final
    code, and the checks read the input again."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


#: Fields that never hold a node a search looks for: names and flags, and the load,
#: store or delete marker of a name (a third of a module's nodes; read it from the name).
#: ``name`` is not one: a type alias's is a node.
_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "attr", "arg", "module", "level", "kind", "type_comment"}
    | {"conversion", "is_async", "simple", "kwd_attrs", "tag", "lineno"}
)
#: Fields holding plain values in these classes only (elsewhere they hold nodes).
_SCALAR_FIELDS_OF = {
    ast.Constant: frozenset({"value"}),
    ast.MatchSingleton: frozenset({"value"}),
    ast.Global: frozenset({"names"}),
    ast.Nonlocal: frozenset({"names"}),
}
_node_fields: dict[type, tuple[str, ...]] = {}
#: The fields :func:`node_fields` found so far, by class (read directly by hot loops).
node_fields_by_class = _node_fields


def node_fields(cls: type) -> tuple[str, ...]:
    """The fields of nodes of class ``cls`` that may hold nodes."""
    found = _node_fields.get(cls)
    if found is None:
        skip = _SCALAR_FIELDS | _SCALAR_FIELDS_OF.get(cls, frozenset())
        found = _node_fields[cls] = tuple(f for f in cls._fields if f not in skip)  # type: ignore[attr-defined]
    return found


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and every node below it, in no particular order, except the load, store
    and delete markers of names: :func:`ast.walk` for searches and sets, at about half
    its cost (no generator per node, a third fewer nodes)."""
    stack = [node]
    pop, push = stack.pop, stack.append
    fields_of = _node_fields
    while stack:
        current = pop()
        yield current
        fields = fields_of.get(current.__class__)
        if fields is None:
            fields = node_fields(current.__class__)
        for name in fields:
            value = getattr(current, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)


def first_line(statement: ast.stmt) -> int:
    """Where ``statement`` starts: its first decorator, if it has any."""
    decorators = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno, *(d.lineno for d in decorators)])


def children(node: ast.AST) -> list[ast.AST]:
    """The nodes directly below ``node``: :func:`ast.iter_child_nodes`, as a list, without
    the load, store and delete markers of names."""
    found: list[ast.AST] = []
    add = found.append
    fields = _node_fields.get(node.__class__)
    if fields is None:
        fields = node_fields(node.__class__)
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, ast.AST):
                    add(item)
        elif isinstance(value, ast.AST):
            add(value)
    return found


#: The fields of a node that hold statements (or except handlers and match cases, which
#: hold statements): only there can an ``async def`` be.
_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def block_items(node: ast.AST) -> list[ast.AST]:
    """The statements directly in ``node``'s blocks (its body, ``else``, ``finally``) and
    its except handlers and match cases, in source order."""
    found: list[ast.AST] = []
    names = _block_fields.get(node.__class__)
    if names is None:
        names = _block_fields[node.__class__] = tuple(
            name for name in node._fields if name in _BLOCKS
        )
    for name in names:
        children = getattr(node, name, None)
        if children.__class__ is list:  # not a lambda's or a conditional's body
            found.extend(children)
    return found


_block_fields: dict[type, tuple[str, ...]] = {}


def statements(tree: ast.AST) -> list[ast.AST]:
    """Every statement in ``tree`` (with the except handlers and match cases that hold
    some), nested ones included, in no particular order; expressions are not searched."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        children = block_items(stack.pop())
        found.extend(children)
        stack.extend(children)
    return found


def outermost_coroutines(tree: ast.AST) -> list[ast.AsyncFunctionDef]:
    """Every ``async def`` that is not inside another one, in source order (only the
    statements are searched: expressions hold none)."""
    found: list[ast.AsyncFunctionDef] = []

    def visit(node: ast.AST) -> None:
        for child in block_items(node):
            if isinstance(child, ast.AsyncFunctionDef):
                found.append(child)
            else:
                visit(child)

    visit(tree)
    return found


def coroutines_holding(tree: ast.AST, lines: set[int]) -> frozenset[int]:
    """The outermost coroutines (by the line of their ``async def``) that span one of
    ``lines``."""
    return frozenset(
        node.lineno
        for node in outermost_coroutines(tree)
        if any(node.lineno <= line <= (node.end_lineno or node.lineno) for line in lines)
    )


def parameter_names(arguments: ast.arguments) -> set[str]:
    """The names a function's or a lambda's parameters bind."""
    return {
        a.arg
        for a in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            arguments.vararg,
            arguments.kwarg,
        )
        if a is not None
    }


def coroutines_named(tree: ast.AST, names: set[str]) -> frozenset[int]:
    """The outermost coroutines (by the line of their ``async def``) whose qualified name
    (the names of the classes and functions around it and its own, joined by dots) is one
    of ``names`` or holds one (a coroutine defined in it). Names, unlike lines, stay true
    while earlier codemods add and remove lines."""
    found: set[int] = set()

    def visit(node: ast.AST, scopes: tuple[str, ...], inside: bool) -> None:
        for child in block_items(node):  # a definition is a statement: no expression holds one
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, scopes, inside)
                continue
            qualified = (*scopes, child.name)
            outermost = isinstance(child, ast.AsyncFunctionDef) and not inside
            if outermost:
                prefix = ".".join(qualified)
                if any(n == prefix or n.startswith(prefix + ".") for n in names):
                    found.add(child.lineno)
            visit(child, qualified, inside or outermost)

    visit(tree, (), False)
    return frozenset(found)


#: The comprehensions: each binds its targets in a scope of its own.
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

#: The statements that define a name and hold code that runs elsewhere, later or never.
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

#: The statements that hold a body (libcst's compound statements).
COMPOUND_STATEMENTS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


def comprehension_own(comprehension: ast.AST) -> Iterator[int]:
    """ids of the names in ``comprehension`` (one of :data:`COMPREHENSIONS`) that are its
    own variables: its targets, and their uses outside its first iterable (which runs in
    the enclosing scope). Such a name is bound to nothing outside it."""
    generators: list[ast.comprehension] = comprehension.generators  # type: ignore[attr-defined]
    bound = {
        node.id
        for generator in generators
        for node in walk(generator.target)
        if isinstance(node, ast.Name)
    }
    outer = {id(node) for node in walk(generators[0].iter)}
    for node in walk(comprehension):
        if isinstance(node, ast.Name) and node.id in bound and id(node) not in outer:
            yield id(node)


def dotted(expression: ast.AST | None) -> str | None:
    """``a.b.c`` for a chain of names and attributes (as ``ast.unparse`` writes it), else
    None."""
    attributes: list[str] = []
    while isinstance(expression, ast.Attribute):
        attributes.append(expression.attr)
        expression = expression.value
    if not isinstance(expression, ast.Name):
        return None
    return ".".join([expression.id, *reversed(attributes)])


def declares_outside(node: ast.AST) -> bool:
    """Whether ``node`` holds a ``global`` or ``nonlocal`` statement (in a function nested
    in it too): what it binds there is not its own."""
    return any(isinstance(s, (ast.Global, ast.Nonlocal)) for s in statements(node))
