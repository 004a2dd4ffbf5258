"""Small libcst builders every codemod uses: where ``await`` needs parentheses, ``await``
itself, the source of a node, dotted names, keyword arguments."""

from __future__ import annotations

import libcst as cst

_EMPTY_MODULE = cst.Module(body=[])
_NO_SPACE = cst.SimpleWhitespace("")


def needs_parentheses(node: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
    """True when ``await <node>`` must be parenthesised where ``node`` stands.

    ``await`` binds tighter than every operator but less tightly than a primary
    (attribute access, subscription, call), so only those, and another ``await``,
    need parentheses around it.
    """
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    return isinstance(parent, cst.Await)


def await_expression(expression: cst.BaseExpression, *, parenthesised: bool = False) -> cst.Await:
    """``await expression`` (the expression's own parentheses dropped), itself in
    parentheses when ``parenthesised`` (see :func:`needs_parentheses`)."""
    inner = expression.with_changes(lpar=[], rpar=[])
    if parenthesised:
        return cst.Await(expression=inner, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=inner)


def code_of(node: cst.CSTNode) -> str:
    """The source code of ``node`` on its own."""
    return _EMPTY_MODULE.code_for_node(node)


def dotted(path: str) -> cst.BaseExpression:
    """``a.b.c`` as an expression."""
    parts = path.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """The keyword argument ``name=value``, spaced as PEP 8 asks."""
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
    )
