"""Build the async forms of file code as CST nodes."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.helpers import parse_template_expression

from codemods.core.build import await_expression, dotted, kwarg, with_commas

_SPACE = cst.SimpleWhitespace(" ")
_COMMA = cst.Comma(whitespace_after=_SPACE)


def method_call(name: str, method: str, *args: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.Attribute(value=cst.Name(name), attr=cst.Name(method)),
        args=with_commas([cst.Arg(a) for a in args]),
    )


def awaited_read(name: str) -> cst.Await:
    return await_expression(method_call(name, "read"))


def without(args: Sequence[cst.Arg], index: int) -> list[cst.Arg]:
    kept = [a for i, a in enumerate(args) if i != index]
    if index == len(args) - 1 and kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return with_commas(kept)


def lines_source(name: str, binary: bool, newline: str | None) -> cst.Call:
    """``io.StringIO(await f.read())`` (``newline=`` as given) or ``io.BytesIO(...)``."""
    args = [cst.Arg(awaited_read(name))]
    if newline is not None:
        args.append(kwarg("newline", cst.SimpleString(repr(newline).replace("'", '"'))))
    return cst.Call(func=dotted("io.BytesIO" if binary else "io.StringIO"), args=with_commas(args))


def buffered_body(
    body: cst.IndentedBlock, name: str, buffer: str, first: int, last: int
) -> cst.IndentedBlock:
    """Statements ``first``..``last`` of ``body`` writing into ``buffer``, then to ``name``.

    ``buffer = io.StringIO(newline="")`` comes first (with the comments that led the first
    statement); the statements go in a ``try`` whose ``finally`` writes the buffer to the
    file, so that what was written before an exception reaches the file, as it would have.
    """
    statements = list(body.body)
    head = statements[first]
    buffer_line = cst.SimpleStatementLine(
        body=[
            cst.Assign(
                targets=[cst.AssignTarget(cst.Name(buffer))],
                value=cst.Call(
                    func=dotted("io.StringIO"),
                    args=[
                        cst.Arg(
                            cst.SimpleString('""'),
                            keyword=cst.Name("newline"),
                            equal=cst.AssignEqual(
                                whitespace_before=cst.SimpleWhitespace(""),
                                whitespace_after=cst.SimpleWhitespace(""),
                            ),
                        )
                    ],
                ),
            )
        ],
        leading_lines=head.leading_lines,
    )
    statements[first] = head.with_changes(leading_lines=[])
    write = await_expression(method_call(name, "write", method_call(buffer, "getvalue")))
    guarded = cst.Try(
        body=cst.IndentedBlock(body=statements[first : last + 1]),
        finalbody=cst.Finally(
            body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Expr(write)])])
        ),
    )
    return body.with_changes(
        body=[*statements[:first], buffer_line, guarded, *statements[last + 1 :]]
    )


# -- print(..., file=f) -----------------------------------------------------------

_NEWLINE = '"\\n"'


def printed_text(call: cst.Call) -> cst.BaseExpression:
    """The string ``print(*args, sep=, end=)`` writes, as one expression."""
    sep: cst.BaseExpression = cst.SimpleString('" "')
    end: cst.BaseExpression = cst.SimpleString(_NEWLINE)
    values: list[cst.Arg] = []
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword else None
        if keyword == "sep" and not _is_none(arg.value):
            sep = arg.value
        elif keyword == "end" and not _is_none(arg.value):
            end = arg.value
        elif keyword is None:
            values.append(arg)
    body = _joined(values, sep)
    if body is None:
        return end
    if _is_empty(end):
        return body
    folded = _fold(body, end)
    if folded is not None:
        return folded
    return cst.BinaryOperation(left=body, operator=cst.Add(_SPACE, _SPACE), right=end)


def _joined(values: list[cst.Arg], sep: cst.BaseExpression) -> cst.BaseExpression | None:
    if not values:
        return None
    if values[0].star:
        return parse_template_expression(
            "{sep}.join(map(str, {items}))", sep=sep, items=values[0].value
        )
    texts = [_as_text(a.value) for a in values]
    if len(texts) == 1:
        return texts[0]
    items = cst.Tuple([cst.Element(t, comma=_COMMA) for t in texts[:-1]] + [cst.Element(texts[-1])])
    return cst.Call(func=cst.Attribute(value=sep, attr=cst.Name("join")), args=[cst.Arg(items)])


def _as_text(value: cst.BaseExpression) -> cst.BaseExpression:
    """``value`` itself when it is a str literal, else ``str(value)``."""
    if isinstance(value, cst.FormattedString) or (
        isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str)
    ):
        return value
    return cst.Call(func=cst.Name("str"), args=[cst.Arg(value.with_changes(lpar=[], rpar=[]))])


def _fold(body: cst.BaseExpression, end: cst.BaseExpression) -> cst.BaseExpression | None:
    """``"abc" + "\\n"`` as ``"abc\\n"`` when both are plain literals quoted alike."""
    if not isinstance(end, cst.SimpleString) or end.prefix or len(end.quote) != 1:
        return None
    tail = end.value[1:-1]
    if isinstance(body, cst.SimpleString) and body.prefix == "" and body.quote == end.quote:
        return cst.SimpleString(body.value[:-1] + tail + body.quote)
    if (
        isinstance(body, cst.FormattedString)
        and body.start.lower() == "f" + end.quote
        and body.end == end.quote
        and "{" not in tail
        and "}" not in tail
    ):
        return body.with_changes(parts=[*body.parts, cst.FormattedStringText(tail)])
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_empty(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value == ""
