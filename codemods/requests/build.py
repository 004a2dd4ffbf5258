"""Small builders for the nodes the requests codemod writes, formatted the way a person would."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.core.build import LINE_LENGTH, await_expression, code_of, dotted, explode, kwarg


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
