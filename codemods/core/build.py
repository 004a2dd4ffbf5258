"""Small libcst builders every codemod uses: where ``await`` needs parentheses, ``await``
itself, the source of a node, dotted names, keyword arguments, argument lists, and calls
split one argument per line."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

_EMPTY_MODULE = cst.Module(body=[])
_NO_SPACE = cst.SimpleWhitespace("")
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))

#: The line length the codemods format their output for.
LINE_LENGTH = 100


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


def dotted(name: str) -> cst.BaseExpression:
    """``a.b.c`` as an expression."""
    parts = name.split(".")
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


def with_commas(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """``args`` separated by ``, `` where they have no comma yet; none after the last."""
    out = []
    for index, arg in enumerate(args):
        last = index == len(args) - 1
        if last and isinstance(arg.comma, cst.Comma) and len(args) > 1:
            out.append(arg)  # a trailing comma the user wrote stays
        elif last:
            out.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        elif not isinstance(arg.comma, cst.Comma):
            out.append(arg.with_changes(comma=_COMMA))
        else:
            out.append(arg)
    return out


def _newline(spaces: int) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        indent=True,
        last_line=cst.SimpleWhitespace(" " * spaces),
    )


def explode(node: cst.Call, indent: int = 0) -> cst.Call:
    """One argument per line, with a trailing comma; a dict argument too long for its line
    gets one entry per line."""
    args = []
    for arg in node.args:
        if indent + 4 + len(code_of(arg)) + 1 > LINE_LENGTH:
            if isinstance(arg.value, cst.Dict):
                arg = arg.with_changes(value=_explode_dict(arg.value))
            elif isinstance(arg.value, cst.Call) and arg.value.args:
                arg = arg.with_changes(value=_explode_inner_call(arg.value))
        args.append(arg.with_changes(comma=cst.Comma(whitespace_after=_newline(4))))
    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=_newline(0)))
    return node.with_changes(args=args, whitespace_before_args=_newline(4))


def _explode_inner_call(node: cst.Call) -> cst.Call:
    args = [a.with_changes(comma=cst.Comma(whitespace_after=_newline(8))) for a in node.args]
    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=_newline(4)))
    return node.with_changes(args=args, whitespace_before_args=_newline(8))


def _explode_dict(node: cst.Dict) -> cst.Dict:
    elements = [
        e.with_changes(comma=cst.Comma(whitespace_after=_newline(8))) for e in node.elements
    ]
    elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=_newline(4)))
    return node.with_changes(
        elements=elements, lbrace=cst.LeftCurlyBrace(whitespace_after=_newline(8))
    )
