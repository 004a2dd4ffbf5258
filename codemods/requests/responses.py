"""Uses of a requests ``Response`` -> the same use of an aiohttp ``ClientResponse``
(docs/codemods/requests.md).

A use starts at the node that stands for the response (the variable, or the request call
itself when it is chained: ``requests.get(u).json()``) and spans the attribute access, call or
subscription around it. :func:`classify` decides what a use becomes, or why it cannot be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.core.build import await_expression, dotted, kwarg, needs_parentheses
from codemods.core.lookups import Lookups
from codemods.core.problems import Problem
from codemods.requests import build

#: Rebuilds the updated use node with the response named ``name``.
Builder = Callable[[cst.CSTNode, str], cst.CSTNode]

_KEPT = ("ok", "reason", "raise_for_status")
_NO_EQUIVALENT = {
    "elapsed": "has no aiohttp equivalent (time the request yourself)",
    "encoding": "differs (requests reports ISO-8859-1 for text/* without a charset)",
    "apparent_encoding": "has no aiohttp equivalent",
    "is_redirect": "has no aiohttp equivalent",
    "is_permanent_redirect": "has no aiohttp equivalent",
    "history": "holds responses with the sync API",
    "request": "differs (aiohttp has request_info)",
    "raw": "has no aiohttp equivalent",
    "next": "has no aiohttp equivalent",
    "close": "differs (aiohttp's block releases the connection)",
}


@dataclass
class Use:
    node: cst.CSTNode  # the original node replaced
    build: Builder
    awaits: bool = False  # the replacement contains ``await``
    reads_text: bool = False  # decodes the body (needs requests' charset fallback)
    json: bool = False  # uses json.loads
    raises: bool = False  # may raise a requests exception in the original
    loop: bool = False  # turns a ``for`` into ``async for``
    needs_block: bool = False  # only works while the connection is open


def classify(value: cst.CSTNode, lookups: Lookups, in_block: bool) -> Use | Problem:
    """What the use of the response at ``value`` becomes.

    ``in_block`` is True when the use runs inside the request's ``async with`` block
    (the connection is open), False when it runs after it (the body was read in it).
    """
    result = _classify(value, lookups, in_block)
    quotes = _fstring_quotes(value, lookups)
    if isinstance(result, Problem) or not quotes:
        return result
    if quotes == {'"', "'"}:
        return Problem(value, "AM216", "response used in nested f-strings with both quotes")
    if quotes == {'"'}:
        rebuild = result.build
        result.build = lambda n, r: rebuild(n, r).visit(_SingleQuotes())  # type: ignore[assignment,return-value]
    return result


def _fstring_quotes(node: cst.CSTNode, lookups: Lookups) -> set[str]:
    """The quote characters of the f-strings around ``node``: a string the rewrite adds
    there must not reuse them (before Python 3.12)."""
    found = set()
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, cst.FormattedString):
            found.add('"' if '"' in current.start else "'")
        if isinstance(current, cst.BaseStatement):
            break
        current = lookups.parent_of(current)
    return found


class _SingleQuotes(cst.CSTTransformer):
    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        text = updated_node.value
        if text.startswith('"') and not text.startswith('"""') and "'" not in text:
            return updated_node.with_changes(value="'" + text[1:-1] + "'")
        return updated_node


def _classify(value: cst.CSTNode, lookups: Lookups, in_block: bool) -> Use | Problem:
    up = lookups.parent_of(value)
    if not (isinstance(up, cst.Attribute) and up.value is value):
        return Problem(value, "AM210", f"response {_escape(up)}; its users expect the sync API")
    name = up.attr.value
    above = lookups.parent_of(up)
    called = isinstance(above, cst.Call) and above.func is up
    if name == "status_code" and not called:
        return Use(up, lambda n, r: build.attr(cst.Name(r), "status"))
    if name in _KEPT and (called == (name == "raise_for_status")):
        if called and above.args:  # type: ignore[union-attr]
            return Problem(above, "AM211", "raise_for_status() with arguments")
        node = above if called else up
        return Use(node, _rename_value(), raises=called)
    if name == "url" and not called:
        return Problem(
            up,
            "AM211",
            "response .url: requests spells the final URL differently from str(r.url) (a '/' "
            "after a bare host, quoting in the query); decide which spelling you need",
        )
    if name == "text" and not called:
        return Use(up, _awaited(up, lookups, _text), awaits=True, reads_text=True)
    if name == "content" and not called:
        if not in_block:
            return Problem(
                up,
                "AM211",
                ".content used after the request's statements; aiohttp cannot read the body "
                "again once the connection is released",
            )
        return Use(up, _awaited(up, lookups, _read), awaits=True, needs_block=True)
    if name == "json" and called:
        return Use(above, _json, awaits=True, reads_text=True, json=True, raises=True)
    if name == "headers" and not called:
        return _headers(up, lookups)
    if name == "cookies" and not called:
        sub = lookups.parent_of(up)
        if isinstance(sub, cst.Subscript) and sub.value is up:
            return Use(sub, lambda n, r: build.attr(_renamed_subscript(n, r), "value"))
        return Problem(up, "AM211", "response .cookies used other than as cookies[name]")
    if name in ("iter_content", "iter_lines") and called:
        return _iteration(above, name, lookups, in_block)
    reason = _NO_EQUIVALENT.get(name, "has no faithful aiohttp equivalent in this rewrite")
    return Problem(up, "AM211", f"response .{name} {reason}")


def _escape(up: cst.CSTNode | None) -> str:
    if isinstance(up, cst.Return):
        return "returned"
    if isinstance(up, (cst.Yield, cst.From)):
        return "yielded"
    if isinstance(up, cst.Arg):
        return "passed to a function"
    if isinstance(up, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
        return "stored"
    if isinstance(up, (cst.Element, cst.DictElement)):
        return "stored in a container"
    return "used as a value"


def _rename_value() -> Builder:
    def rebuild(node: cst.CSTNode, name: str) -> cst.CSTNode:
        if isinstance(node, cst.Call):
            assert isinstance(node.func, cst.Attribute)
            return node.with_changes(func=node.func.with_changes(value=cst.Name(name)))
        assert isinstance(node, cst.Attribute)
        return node.with_changes(value=cst.Name(name))

    return rebuild


def _renamed_subscript(node: cst.CSTNode, name: str) -> cst.Subscript:
    assert isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute)
    return node.with_changes(value=node.value.with_changes(value=cst.Name(name)))


def _text(name: str) -> cst.BaseExpression:
    # errors="replace": requests never raises on undecodable bytes.
    return build.call(
        build.attr(cst.Name(name), "text"),
        [kwarg("errors", cst.SimpleString('"replace"'))],
    )


def _read(name: str) -> cst.BaseExpression:
    return build.call(build.attr(cst.Name(name), "read"), [])


def _awaited(
    original: cst.CSTNode, lookups: Lookups, inner: Callable[[str], cst.BaseExpression]
) -> Builder:
    parenthesised = needs_parentheses(original, lookups.parent_of(original))

    def rebuild(node: cst.CSTNode, name: str) -> cst.CSTNode:
        return await_expression(inner(name), parenthesised=parenthesised)

    return rebuild


def _json(node: cst.CSTNode, name: str) -> cst.CSTNode:
    """``r.json(**kw)`` -> ``json.loads(await r.text(errors="replace"), **kw)``: requests
    parses whatever the content type, from the decoded text."""
    assert isinstance(node, cst.Call)
    args = [cst.Arg(await_expression(_text(name))), *node.args]
    return build.call(dotted("json.loads"), args)


def _headers(up: cst.Attribute, lookups: Lookups) -> Use | Problem:
    """A repeated header is ``'a, b'`` in requests and the first value in aiohttp."""
    above = lookups.parent_of(up)
    if isinstance(above, cst.Subscript) and above.value is up and len(above.slice) == 1:
        return Use(above, _joined_subscript)
    if isinstance(above, cst.Attribute) and above.attr.value == "get":
        get_call = lookups.parent_of(above)
        if isinstance(get_call, cst.Call) and get_call.func is above and _simple_get(get_call):
            bare = isinstance(
                lookups.parent_of(get_call),
                (cst.Assign, cst.Return, cst.Arg, cst.AnnAssign, cst.Element),
            )
            return Use(get_call, _joined_get(not bare))
    if isinstance(above, cst.ComparisonTarget) and isinstance(above.operator, (cst.In, cst.NotIn)):
        return Use(up, lambda n, r: build.attr(cst.Name(r), "headers"))
    return Problem(up, "AM211", "response .headers used other than as headers[k], .get(k) or 'in'")


def _simple_get(node: cst.Call) -> bool:
    if not 1 <= len(node.args) <= 2 or any(a.keyword or a.star for a in node.args):
        return False
    key = node.args[0].value
    return isinstance(key, (cst.SimpleString, cst.Name))


def _getall(name: str, key: cst.BaseExpression) -> cst.Call:
    headers = build.attr(cst.Name(name), "headers")
    values = build.call(build.attr(headers, "getall"), [cst.Arg(key)])
    return build.call(build.attr(cst.SimpleString('", "'), "join"), [cst.Arg(values)])


def _joined_subscript(node: cst.CSTNode, name: str) -> cst.CSTNode:
    assert isinstance(node, cst.Subscript)
    element = node.slice[0].slice
    assert isinstance(element, cst.Index)
    return _getall(name, element.value)


def _joined_get(parenthesised: bool) -> Builder:
    def rebuild(node: cst.CSTNode, name: str) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        key = node.args[0].value
        default = node.args[1].value if len(node.args) > 1 else cst.Name("None")
        test = cst.Comparison(
            left=key,
            comparisons=[cst.ComparisonTarget(cst.In(), build.attr(cst.Name(name), "headers"))],
        )
        parens = ([cst.LeftParen()], [cst.RightParen()]) if parenthesised else ([], [])
        return cst.IfExp(
            test=test, body=_getall(name, key), orelse=default, lpar=parens[0], rpar=parens[1]
        )

    return rebuild


def _iteration(call: cst.Call, name: str, lookups: Lookups, in_block: bool) -> Use | Problem:
    loop = lookups.parent_of(call)
    if not (isinstance(loop, cst.For) and loop.iter is call and loop.asynchronous is None):
        return Problem(
            call, "AM211", f"response .{name}() used other than as a for loop's iterable"
        )
    if not in_block:
        return Problem(call, "AM211", f"response .{name}() used after the request's statements")
    if name == "iter_lines":
        if call.args or not isinstance(loop.target, cst.Name):
            return Problem(call, "AM211", "iter_lines() with arguments or an unpacking target")
        return Use(loop, _lines_loop, awaits=True, loop=True, needs_block=True)
    size: cst.BaseExpression = cst.Integer("1")  # requests' default chunk_size
    for i, arg in enumerate(call.args):
        if (arg.keyword is None and i == 0) or (arg.keyword and arg.keyword.value == "chunk_size"):
            size = arg.value
        else:
            return Problem(call, "AM211", "iter_content() with decode_unicode")
    if isinstance(size, cst.Name) and size.value == "None":
        return Use(loop, _chunks_loop(None), awaits=True, loop=True, needs_block=True)
    return Use(loop, _chunks_loop(size), awaits=True, loop=True, needs_block=True)


def _content(name: str) -> cst.Attribute:
    return build.attr(cst.Name(name), "content")


def _chunks_loop(size: cst.BaseExpression | None) -> Builder:
    def rebuild(node: cst.CSTNode, name: str) -> cst.CSTNode:
        assert isinstance(node, cst.For)
        if size is None:
            source = build.call(build.attr(_content(name), "iter_any"), [])
        else:
            source = build.call(build.attr(_content(name), "iter_chunked"), [cst.Arg(size)])
        return _keep_comments(node, node.with_changes(asynchronous=cst.Asynchronous(), iter=source))

    return rebuild


def _lines_loop(node: cst.CSTNode, name: str) -> cst.CSTNode:
    """requests' iter_lines() strips the line ending; aiohttp's lines keep it."""
    assert isinstance(node, cst.For) and isinstance(node.target, cst.Name)
    line = node.target.value
    strip = build.statement(
        cst.Assign(
            targets=[cst.AssignTarget(cst.Name(line))],
            value=build.call(
                build.attr(cst.Name(line), "rstrip"), [cst.Arg(cst.SimpleString('b"\\r\\n"'))]
            ),
        )
    )
    body = node.body
    assert isinstance(body, cst.IndentedBlock)
    return _keep_comments(
        node,
        node.with_changes(
            asynchronous=cst.Asynchronous(),
            iter=_content(name),
            body=body.with_changes(body=[strip, *body.body]),
        ),
    )


def _keep_comments(old: cst.For, new: cst.For) -> cst.For:
    """Comments of the replaced iterable go on lines above the loop."""
    comments = [c for c in m.findall(old.iter, m.Comment()) if isinstance(c, cst.Comment)]
    if not comments:
        return new
    lines = [*new.leading_lines, *(cst.EmptyLine(comment=c) for c in comments)]
    return new.with_changes(leading_lines=lines)
