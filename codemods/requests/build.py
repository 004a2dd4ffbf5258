"""Small builders for the nodes the requests codemod writes, formatted the way a person would."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.core.build import await_expression, code_of, dotted, kwarg

LINE_LENGTH = 100


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def attr(value: cst.BaseExpression, name: str) -> cst.Attribute:
    return cst.Attribute(value=value, attr=cst.Name(name))


def call(func: cst.BaseExpression, args: Sequence[cst.Arg]) -> cst.Call:
    return cst.Call(func=func, args=_with_commas(args))


def _with_commas(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    out = []
    for i, arg in enumerate(args):
        comma: cst.Comma | cst.MaybeSentinel = (
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(args) - 1
            else cst.MaybeSentinel.DEFAULT
        )
        out.append(arg.with_changes(comma=comma))
    return out


def client_timeout(connect: cst.BaseExpression | None, read: cst.BaseExpression | None) -> cst.Call:
    """``aiohttp.ClientTimeout(total=None, ...)``: requests' timeouts are per connect and read."""
    args = [kwarg("total", cst.Name("None"))]
    if connect is not None:
        args.append(kwarg("sock_connect", connect))
    if read is not None:
        args.append(kwarg("sock_read", read))
    return call(dotted("aiohttp.ClientTimeout"), args)


def statement(small: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[small])


def read_body(name: str) -> cst.SimpleStatementLine:
    """``await <name>.read()``: the body cached while the connection is open."""
    return statement(cst.Expr(await_expression(call(attr(cst.Name(name), "read"), []))))


def async_with(
    item: cst.BaseExpression,
    asname: str | None,
    body: Sequence[cst.BaseStatement],
    indent: int,
) -> cst.With:
    """``async with <item> as <asname>:`` around ``body``; a long header is split one argument
    per line, as black would."""
    target = cst.AsName(name=cst.Name(asname)) if asname else None
    with_item = cst.WithItem(item=item, asname=target)
    node = cst.With(
        items=[with_item],
        body=cst.IndentedBlock(body=list(body)),
        asynchronous=cst.Asynchronous(),
    )
    return node.with_changes(items=[with_item.with_changes(item=fitted(item, indent))])


def fitted(item: cst.BaseExpression, indent: int) -> cst.BaseExpression:
    """``item`` split one argument per line when ``async with <item> as x:`` would not fit
    (or an argument spans lines), as black would."""
    text = code_of(item)
    too_long = indent + len(text) + 20 > LINE_LENGTH or "\n" in text
    if too_long and isinstance(item, cst.Call) and item.args:
        return explode(item, indent)
    return item


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
