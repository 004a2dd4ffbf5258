"""Build the async forms of database code as CST nodes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from codemods.core.build import LINE_LENGTH, code_of, dotted, explode, kwarg, with_commas

__all__ = [
    "LINE_LENGTH",
    "assignment",
    "code_of",
    "explode",
    "commit_at_end",
    "dotted",
    "keyword",
    "kwarg",
    "transaction",
    "with_commas",
    "wrapped",
]

_NO_SPACE = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """``arg`` passed as ``name=...`` (keeping its spacing when it was a keyword)."""
    if arg.keyword is not None:
        return arg.with_changes(keyword=cst.Name(name))
    return arg.with_changes(keyword=cst.Name(name), equal=_NO_SPACE)


def assignment(name: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        [cst.Assign([cst.AssignTarget(cst.Name(name))], value.with_changes(lpar=[], rpar=[]))]
    )


def _call_on(name: str, method: str) -> cst.SimpleStatementLine:
    call = cst.Call(cst.Attribute(cst.Name(name), cst.Name(method)))
    return cst.SimpleStatementLine([cst.Expr(cst.Await(call))])


def _committed(
    statements: Sequence[cst.BaseStatement], name: str, fresh: Callable[[str], str]
) -> list[cst.BaseStatement]:
    """``statements`` followed by ``await name.commit()``. A ``return`` that ends them
    (possibly inside ``with`` blocks that end them) still returns after the commit, its
    value computed where it was (``with``'s exit ran after the value was evaluated, and
    after the inner blocks had exited)."""
    body = list(statements)
    commit = _call_on(name, "commit")
    last = body[-1] if body else None
    if (
        isinstance(last, cst.SimpleStatementLine)
        and len(last.body) == 1
        and isinstance(last.body[0], cst.Return)
    ):
        value = last.body[0].value
        if value is None or _is_constant(value):
            return [*body[:-1], commit.with_changes(leading_lines=last.leading_lines), last]
        result = fresh("result")
        keep = assignment(result, value).with_changes(leading_lines=last.leading_lines)
        returned = last.with_changes(
            body=[last.body[0].with_changes(value=cst.Name(result))], leading_lines=()
        )
        return [*body[:-1], keep, commit, returned]
    if isinstance(last, cst.With):
        stripped, value = _without_final_return(last, fresh)
        if stripped is not None:
            returned = cst.SimpleStatementLine([cst.Return(value)])
            return [*body[:-1], stripped, commit, returned]
    return [*body, commit]


def _without_final_return(
    statement: cst.With, fresh: Callable[[str], str]
) -> tuple[cst.With | None, cst.BaseExpression | None]:
    """``statement`` with the ``return`` that ends it turned into ``result = value`` (or
    dropped when it returns nothing), and what to return after it; None if no return
    ends it."""
    body = statement.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None, None
    last = body.body[-1]
    if isinstance(last, cst.With):
        inner, value = _without_final_return(last, fresh)
        if inner is None:
            return None, None
        return statement.with_changes(body=body.with_changes(body=[*body.body[:-1], inner])), value
    if not (
        isinstance(last, cst.SimpleStatementLine)
        and len(last.body) == 1
        and isinstance(last.body[0], cst.Return)
    ):
        return None, None
    value = last.body[0].value
    if value is None:
        rest = list(body.body[:-1]) or [cst.SimpleStatementLine([cst.Pass()])]
        return statement.with_changes(body=body.with_changes(body=rest)), None
    result = fresh("result")
    keep = assignment(result, value).with_changes(leading_lines=last.leading_lines)
    replaced = body.with_changes(body=[*body.body[:-1], keep])
    return statement.with_changes(body=replaced), cst.Name(result)


def _is_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
        return True
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


def transaction(statement: cst.With, name: str, fresh: Callable[[str], str]) -> cst.Try:
    """``with conn: body`` -> ``try: body; await conn.commit()`` + ``except BaseException:
    await conn.rollback(); raise``: what the sync driver's ``__exit__`` did."""
    body = statement.body
    assert isinstance(body, cst.IndentedBlock)
    handler = cst.ExceptHandler(
        body=cst.IndentedBlock(
            [_call_on(name, "rollback"), cst.SimpleStatementLine([cst.Raise()])]
        ),
        type=cst.Name("BaseException"),
    )
    return cst.Try(
        body=body.with_changes(body=_committed(body.body, name, fresh)),
        handlers=[handler],
        leading_lines=statement.leading_lines,
    )


def commit_at_end(statement: cst.With, name: str, fresh: Callable[[str], str]) -> cst.With:
    """``with sqlite3.connect(p) as conn: body`` -> ``async with aiosqlite.connect(p) as
    conn: body; await conn.commit()``."""
    body = statement.body
    assert isinstance(body, cst.IndentedBlock)
    return statement.with_changes(
        asynchronous=cst.Asynchronous(),
        body=body.with_changes(body=_committed(body.body, name, fresh)),
    )


#: (first statement, last statement, name, connect expression, drop the first)
Wrap = tuple[cst.BaseStatement, cst.BaseStatement, str, cst.BaseExpression, bool]


def wrapped(
    pairs: list[tuple[cst.BaseStatement, cst.BaseStatement]],
    wraps: list[Wrap],
    before: dict[cst.CSTNode, cst.SimpleStatementLine],
) -> list[cst.BaseStatement]:
    """The statements of a block (``(original, updated)`` pairs), with the statement to
    insert before some, and each range of a wrap moved into ``async with <connect> as
    name:``. Ranges that cross are merged into the outer one (the connection then closes
    a little later, still after its last use)."""
    index = {id(original): i for i, (original, _) in enumerate(pairs)}
    spans = sorted(
        ((index[id(w[0])], index[id(w[1])], w) for w in wraps), key=lambda s: (s[0], -s[1])
    )

    def build(start: int, end: int, spans: list[tuple[int, int, Wrap]]) -> list[cst.BaseStatement]:
        out: list[cst.BaseStatement] = []
        i = start
        while i <= end:
            inner = [s for s in spans if s[0] == i]
            if inner:
                first, last, wrap = inner[0]
                rest = [s for s in spans if s is not inner[0]]
                nested = [s for s in rest if first <= s[0] <= last]
                last = max([last, *(s[1] for s in nested)])
                nested = [s for s in rest if first <= s[0] <= last]
                _, _, name, connect, drop_first = wrap
                original, head = pairs[first]
                body_start = first + 1 if drop_first else first
                if drop_first:
                    inner_body = build(body_start, last, nested)
                else:
                    # the first statement itself stays (it is wrapped), but a nested
                    # wrap may not start on it again
                    inner_body = build(body_start, last, [s for s in nested if s[0] != first])
                if not drop_first and inner_body:
                    inner_body[0] = inner_body[0].with_changes(leading_lines=())
                header = cst.With(
                    items=[
                        cst.WithItem(
                            connect.with_changes(lpar=[], rpar=[]),
                            asname=cst.AsName(cst.Name(name)),
                        )
                    ],
                    body=cst.IndentedBlock(inner_body),
                    asynchronous=cst.Asynchronous(),
                    leading_lines=head.leading_lines
                    if drop_first
                    else pairs[first][1].leading_lines,
                )
                if drop_first and isinstance(head, cst.SimpleStatementLine):
                    header = header.with_changes(
                        body=header.body.with_changes(header=head.trailing_whitespace)
                    )
                out.extend(_before(original, before))
                out.append(header)
                i = last + 1
                continue
            original, updated = pairs[i]
            out.extend(_before(original, before))
            out.append(updated)
            i += 1
        return out

    return build(0, len(pairs) - 1, spans)


def _before(
    original: cst.BaseStatement, before: dict[cst.CSTNode, cst.SimpleStatementLine]
) -> list[cst.BaseStatement]:
    return [before[original]] if original in before else []
