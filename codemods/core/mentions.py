"""Every place a module mentions some identifiers: names, attributes and strings, anywhere
(module level, class bodies, functions, nested functions and lambdas), each with the
qualified names it may resolve to and whether it is what a call calls.

The ``helpers`` codemod's ``async`` mode reads these to tell whether a project function
is used only by direct calls from coroutines: a mention it cannot prove to be such a
call (a reference, a call from sync code, a string that ``getattr`` or ``__all__`` could
use, an attribute of an object of unknown type) keeps the function sync. Built with
``ast`` only, for the identifiers asked about.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from codemods.core import parsed
from codemods.core.bindings import module_bindings, own_nodes
from codemods.core.index import (
    _Context,
    _local_names,
    _names_of,
    position,
    source_lines,
)
from codemods.core.suppressions import parse_comment


@dataclass(frozen=True)
class Mention:
    """One mention of an identifier."""

    #: The identifier: a name (maybe a local alias), the last part of an attribute, or a
    #: string's value.
    name: str
    #: The qualified names it may stand for (as :class:`codemods.core.index.Call` gives
    #: them); empty when unknown (a string, an attribute of an unknown object, a name
    #: bound by a star import).
    names: tuple[str, ...]
    #: Where: the call's position when ``called``, else the mention's own.
    line: int
    col: int
    #: It is the callee of a call (``helper(...)``, ``self.helper(...)``).
    called: bool
    #: It is a string (``__all__``, ``getattr(obj, "helper")``).
    string: bool = False
    #: A comment on its lines silences :data:`SILENCED` (for a ``def``, on its line).
    suppressed: bool = False
    #: The last line it spans (the call's, when ``called``).
    end_line: int = 0
    #: It is the ``def`` of the function (kept only when ``suppressed``).
    definition: bool = False


#: The code whose suppression comments keep a helper sync (the ``helpers`` codemod's
#: conversion): a comment on a call, or on the ``def`` line, keeps the function as it is.
SILENCED = frozenset({"AM655"})


def mentions(data: bytes, module: str, path: str, identifiers: frozenset[str]) -> list[Mention]:
    """The mentions of ``identifiers`` in one module's source (none if it does not
    parse, or no identifier occurs in its bytes)."""
    if not any(name.encode() in data for name in identifiers):
        return []
    tree = parsed.parse(data)
    if tree is None:
        return []
    lines = source_lines(data)
    is_package = path.endswith("__init__.py")
    imports = module_bindings(tree, module, is_package)
    defs = {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    context = _Context(module, imports, defs, {}, lines, {}, is_package)
    # A name imported under another name is mentioned under that one too.
    identifiers = identifiers | {
        alias.asname
        for node in parsed.statements(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname and alias.name in identifiers
    }
    silenced = _silenced_lines(data)
    found = []
    for mention in _walk(tree, context, None, set(), identifiers):
        lines = range(mention.line, max(mention.line, mention.end_line) + 1)
        if any(line in silenced for line in lines):
            mention = dataclasses.replace(mention, suppressed=True)
        if mention.suppressed or not mention.definition:
            found.append(mention)
    return found


def _silenced_lines(data: bytes) -> frozenset[int]:
    """The lines whose comment silences :data:`SILENCED`."""
    if b"#" not in data:
        return frozenset()
    found = set()
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT:
                suppression = parse_comment(token.string)
                if suppression is not None and suppression.covers(SILENCED):
                    found.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return frozenset(found)
    return frozenset(found)


def _walk(
    node: ast.AST,
    context: _Context,
    owner: str | None,
    local: set[str],
    identifiers: frozenset[str],
    prefix: str = "",
) -> Iterator[Mention]:
    """The mentions in ``node``'s own scope, then in the scopes nested in it."""
    body = _scope_nodes(node)
    called = {id(n.func): n for n in body if isinstance(n, ast.Call)}
    for child in body:
        if isinstance(child, ast.Name) and child.id in identifiers:
            if child.id in local:
                continue
            yield _mention(child, child.id, context, owner, local, called)
        elif isinstance(child, ast.Attribute) and child.attr in identifiers:
            yield _mention(child, child.attr, context, owner, local, called)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            named = _named_by_string(child.value, identifiers)
            if named is not None:
                line, col = position(child, context.lines)
                yield Mention(named, (), line, col, called=False, string=True)
    if isinstance(node, ast.Module) and not prefix:
        yield from _definitions(node.body, context, "", identifiers)
    for child in body:
        if isinstance(child, ast.ClassDef):
            yield from _walk_class(child, context, local, identifiers, prefix)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = _inner_scope(child, local)
            scope = context.inside(_scope_nodes(child))
            yield from _walk(child, scope, owner, inner, identifiers)


def _walk_class(
    node: ast.ClassDef,
    context: _Context,
    local: set[str],
    identifiers: frozenset[str],
    prefix: str,
) -> Iterator[Mention]:
    """A class body: its own statements (bases and decorators were walked outside), and
    its methods with the class as their owner."""
    name = f"{prefix}{node.name}"
    yield from _definitions(node.body, context, f"{name}.", identifiers)
    for statement in node.body:
        if isinstance(statement, ast.ClassDef):
            header = [*statement.decorator_list, *statement.bases]
            header += [k.value for k in statement.keywords]
            outside = ast.Module(body=[ast.Expr(e) for e in header], type_ignores=[])
            yield from _walk(outside, context, None, local, identifiers)
            yield from _walk_class(statement, context, local, identifiers, f"{name}.")
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            outside = ast.Module(
                body=[
                    ast.Expr(d)
                    for d in (
                        *statement.decorator_list,
                        *statement.args.defaults,
                        *(d for d in statement.args.kw_defaults if d is not None),
                    )
                ],
                type_ignores=[],
            )
            yield from _walk(outside, context, None, local, identifiers)
            own = list(own_nodes(statement))
            inner = _local_names(statement, own)
            yield from _walk(statement, context.inside(own), name, inner, identifiers)
        else:
            yield from _walk(
                ast.Module(body=[statement], type_ignores=[]), context, None, local, identifiers
            )


def _named_by_string(value: str, identifiers: frozenset[str]) -> str | None:
    """The identifier a string names: itself (``getattr(obj, "helper")``, ``__all__``), or
    the last part of a dotted or ``module:name`` path (``"pkg.jobs:helper"``, as entry
    points, task registries and settings name functions)."""
    if value in identifiers:
        return value
    if len(value) > 200 or not ("." in value or ":" in value):
        return None
    last = value.replace(":", ".").rsplit(".", 1)[-1]
    return last if last in identifiers else None


def _definitions(
    statements: list[ast.stmt], context: _Context, prefix: str, identifiers: frozenset[str]
) -> Iterator[Mention]:
    """The ``def`` statements of ``identifiers`` among ``statements`` (a module's or a
    class's body): a suppression comment on the ``def`` line keeps the function sync."""
    module = f"{context.module}." if context.module else ""
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in identifiers:
                line, col = position(statement, context.lines)
                names = (f"{module}{prefix}{statement.name}",)
                yield Mention(statement.name, names, line, col, called=False, definition=True)


def _scope_nodes(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Module):
        return _module_nodes(node)
    if isinstance(node, ast.Lambda):  # its defaults too (they run outside, but count)
        args = node.args
        parts = [node.body, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        return _module_nodes(ast.Module(body=[ast.Expr(e) for e in parts], type_ignores=[]))
    return list(own_nodes(node))


def _module_nodes(tree: ast.Module) -> list[ast.AST]:
    """A module's (or a statement list's) nodes, not descending into functions, lambdas
    or classes, but with their decorators, defaults and bases."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        child = stack.pop()
        found.append(child)
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(child.decorator_list)
            stack.extend(child.args.defaults)
            stack.extend(d for d in child.args.kw_defaults if d is not None)
            continue
        if isinstance(child, ast.ClassDef):
            stack.extend(child.decorator_list)
            stack.extend(child.bases)
            stack.extend(k.value for k in child.keywords)
            continue
        if isinstance(child, ast.Lambda):
            continue
        stack.extend(reversed(parsed.children(child)))
    return found


def _inner_scope(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, outer: set[str]
) -> set[str]:
    if isinstance(node, ast.Lambda):
        return outer | parsed.parameter_names(node.args)
    return outer | _local_names(node, _scope_nodes(node))


def _mention(
    node: ast.Name | ast.Attribute,
    name: str,
    context: _Context,
    owner: str | None,
    local: set[str],
    called: dict[int, ast.Call],
) -> Mention:
    call = called.get(id(node))
    line, col = position(call if call is not None else node, context.lines)
    root: ast.AST = node
    while isinstance(root, ast.Attribute):
        root = root.value
    known = isinstance(root, ast.Name) and (
        context.qualify(root.id) is not None
        or (owner is not None and root.id in ("self", "cls") and root is not node)
    )
    names = tuple(_names_of(node, context, owner, local)) if known else ()
    end = getattr(call if call is not None else node, "end_lineno", None) or line
    return Mention(name, names, line, col, called=call is not None, end_line=end)
