"""A requests call's arguments -> the arguments of the aiohttp request, with requests' semantics.

:func:`translate` works on syntax alone, so it can rebuild the call from the updated tree;
:func:`check` runs the same walk on the original tree with name resolution and says what
cannot be carried over faithfully.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.core.build import dotted, kwarg
from codemods.core.lookups import Lookups
from codemods.core.problems import Problem
from codemods.requests import build
from codemods.requests.names import MODULE_POSITIONAL, SESSION_POSITIONAL

_SIMPLE_KEPT = ("json", "cookies", "allow_redirects")


@dataclass
class CallInfo:
    """What the rest of the rewrite needs to know about one request."""

    stream: bool = False
    has_timeout: bool = False
    problems: list[Problem] = field(default_factory=list)
    #: statements that must run before the request (building a multipart form)
    before: list[cst.BaseStatement] = field(default_factory=list)


def check(call: cst.Call, method: str, from_session: bool, lookups: Lookups) -> CallInfo:
    info = CallInfo()
    _walk(call, method, from_session, info, lookups)
    return info


def translate(
    call: cst.Call, method: str, from_session: bool, form: str = "form"
) -> tuple[list[cst.Arg], list[cst.BaseStatement]]:
    """The aiohttp arguments, and the statements to run first (a multipart form named
    ``form``)."""
    info = CallInfo()
    args = _walk(call, method, from_session, info, None, form)
    return args, info.before


def _walk(
    call: cst.Call,
    method: str,
    from_session: bool,
    info: CallInfo,
    lookups: Lookups | None,
    form: str = "form",
) -> list[cst.Arg]:
    leading = 2 if method == "request" else 1
    positional_names = (SESSION_POSITIONAL if from_session else MODULE_POSITIONAL).get(method, ())
    out: list[cst.Arg] = []
    keywords: list[tuple[str, cst.Arg]] = []
    position = 0
    for arg in call.args:
        if arg.star:
            info.problems.append(
                Problem(arg, "AM212", f"'{arg.star}' arguments cannot be checked; spell them out")
            )
            continue
        if arg.keyword is None:
            if position < leading:
                out.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            elif position - leading < len(positional_names):
                keywords.append((positional_names[position - leading], arg))
            else:
                info.problems.append(
                    Problem(arg, "AM212", "extra positional argument; pass it by name")
                )
            position += 1
            continue
        keywords.append((arg.keyword.value, arg))
    if position < leading:
        info.problems.append(Problem(call, "AM212", "the URL is not passed positionally"))

    names = [n for n, _ in keywords]
    if "json" in names and ("data" in names or "files" in names):
        info.problems.append(
            Problem(
                call, "AM212", "json= with data= or files=: requests ignores json=, aiohttp refuses"
            )
        )
    headers_index: int | None = None
    auth: cst.BaseExpression | None = None
    follows_redirects = method != "head"
    for name, arg in keywords:
        value = arg.value
        if name in _SIMPLE_KEPT:
            if name == "allow_redirects":
                follows_redirects = not _is_name(value, "False")
            out.append(kwarg(name, value))
        elif name == "params":
            out.append(kwarg(name, _form_values(value, info, lookups, "params", True)))
        elif name == "data":
            if isinstance(value, cst.Dict):
                out.append(kwarg(name, _form_values(value, info, lookups, "data", False)))
            else:
                _check_raw_body(call, value, info, lookups)
                out.append(kwarg(name, value))
        elif name == "headers":
            headers_index = len(out)
            out.append(kwarg(name, _without_none(value)))
        elif name == "auth":
            if isinstance(value, cst.Tuple) and len(value.elements) == 2:
                auth = _basic_auth(value)
            else:
                info.problems.append(
                    Problem(arg, "AM212", "auth= that is not a (user, password) tuple literal")
                )
        elif name == "timeout":
            translated = _timeout(value, info)
            if translated is not None:
                info.has_timeout = True
                out.append(kwarg("timeout", translated))
        elif name == "verify":
            if _is_name(value, "False"):
                out.append(kwarg("ssl", cst.Name("False")))
            elif not _is_name(value, "True"):
                info.problems.append(
                    Problem(
                        arg,
                        "AM212",
                        "verify= other than True/False (a CA bundle needs an SSL context)",
                    )
                )
        elif name == "files":
            if any(n == "data" for n, _ in keywords):
                info.problems.append(
                    Problem(
                        arg,
                        "AM212",
                        "files= with data=: aiohttp gives the data parts a "
                        "Content-Type that requests does not send",
                    )
                )
            if _form(value, info, lookups, form):
                out.append(kwarg("data", cst.Name(form)))
        elif name == "stream":
            if _is_name(value, "True"):
                info.stream = True
            elif not _is_name(value, "False"):
                info.problems.append(
                    Problem(arg, "AM212", "stream= that is not a literal True/False")
                )
        else:
            info.problems.append(
                Problem(arg, "AM212", f"{name}= has no faithful aiohttp equivalent in this rewrite")
            )
    if auth is not None:
        out = _merge_auth(out, headers_index, auth)
    if follows_redirects:
        # requests follows up to 30 redirects, aiohttp 10.
        out.append(kwarg("max_redirects", cst.Integer("30")))
    return build._with_commas(out)


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _plain(node: cst.BaseExpression, lookups: Lookups | None) -> bool:
    """A value that requests and aiohttp encode alike: strings and integers."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, cst.Integer):
        return True
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(e, cst.Element) and _plain(e.value, lookups) for e in node.elements)
    if isinstance(node, cst.Call) and lookups is not None:
        return "builtins.str" in lookups.qualified_names(node.func)
    return lookups is None


def _form_values(
    value: cst.BaseExpression,
    info: CallInfo,
    lookups: Lookups | None,
    name: str,
    bools_to_str: bool,
) -> cst.BaseExpression:
    """A params/data dict literal with requests' rules: None entries dropped (and for
    params, booleans sent as 'True'/'False')."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)) and name == "params":
        return value
    if isinstance(value, (cst.List, cst.Tuple)):
        for element in value.elements:
            pair = element.value if isinstance(element, cst.Element) else None
            if not (
                isinstance(pair, cst.Tuple)
                and len(pair.elements) == 2
                and all(_plain(e.value, lookups) for e in pair.elements)
            ):
                _not_plain(info, element, name)
        return value
    if not isinstance(value, cst.Dict):
        _not_plain(info, value, name)
        return value
    kept = []
    for element in value.elements:
        if not isinstance(element, cst.DictElement):
            _not_plain(info, element, name)
            kept.append(element)
            continue
        if _is_name(element.value, "None"):
            continue  # requests leaves the field out
        if bools_to_str and isinstance(element.value, cst.Name):
            if element.value.value in ("True", "False"):
                literal = cst.SimpleString(f'"{element.value.value}"')
                kept.append(element.with_changes(value=literal))
                continue
        if not (_plain(element.key, lookups) and _plain(element.value, lookups)):
            _not_plain(info, element, name)
        kept.append(element)
    if kept and len(kept) != len(value.elements):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return value.with_changes(elements=kept)


def _not_plain(info: CallInfo, node: cst.CSTNode, name: str) -> None:
    info.problems.append(
        Problem(
            node,
            "AM213",
            f"{name}= value that may be None, a bool or a float, which requests and aiohttp "
            "encode differently; write strings (str(x)) or a literal",
        )
    )


def _check_raw_body(
    call: cst.Call, value: cst.BaseExpression, info: CallInfo, lookups: Lookups | None
) -> None:
    """A str/bytes body: requests sends no Content-Type and aiohttp adds one, so it is
    faithful only with an explicit Content-Type header, and for ASCII text."""
    if lookups is None:
        return
    ascii_text = (
        isinstance(value, cst.SimpleString) and value.evaluated_value.isascii()  # type: ignore[union-attr]
    ) or (
        isinstance(value, cst.Call)
        and "json.dumps" in lookups.qualified_names(value.func)
        and _ensure_ascii(value)
    )
    headers = next((a.value for a in call.args if a.keyword and a.keyword.value == "headers"), None)
    has_type = isinstance(headers, cst.Dict) and any(
        isinstance(e, cst.DictElement)
        and isinstance(e.key, cst.SimpleString)
        and str(e.key.evaluated_value).lower() == "content-type"
        for e in headers.elements
    )
    if not (ascii_text and has_type):
        info.problems.append(
            Problem(
                value,
                "AM212",
                "data= body other than a dict: faithful only as an ASCII literal or json.dumps() "
                "with a literal Content-Type header",
            )
        )


def _ensure_ascii(node: cst.Call) -> bool:
    return not any(a.keyword and a.keyword.value == "ensure_ascii" for a in node.args)


def _without_none(value: cst.BaseExpression) -> cst.BaseExpression:
    if not isinstance(value, cst.Dict):
        return value
    kept = [
        e
        for e in value.elements
        if not (isinstance(e, cst.DictElement) and _is_name(e.value, "None"))
    ]
    if kept and len(kept) != len(value.elements):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return value.with_changes(elements=kept)


def _basic_auth(pair: cst.Tuple) -> cst.Call:
    user, password = (e.value for e in pair.elements)
    return build.call(
        dotted("aiohttp.encode_basic_auth"),
        [
            cst.Arg(user),
            cst.Arg(password),
            kwarg("encoding", cst.SimpleString('"latin-1"')),
        ],
    )


def _merge_auth(out: list[cst.Arg], headers_index: int | None, auth: cst.Call) -> list[cst.Arg]:
    """requests' auth= overrides an Authorization header: put it last in the headers."""
    entry = cst.DictElement(cst.SimpleString('"Authorization"'), auth)
    if headers_index is None:
        return [*out, kwarg("headers", cst.Dict([entry]))]
    headers = out[headers_index].value
    if isinstance(headers, cst.Dict):
        elements = list(headers.elements)
        if elements:
            elements[-1] = elements[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        merged = headers.with_changes(elements=[*elements, entry])
    else:
        merged = cst.Dict(
            [
                cst.StarredDictElement(
                    headers, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                ),
                entry,
            ]
        )
    out = list(out)
    out[headers_index] = kwarg("headers", merged)
    return out


def _timeout(value: cst.BaseExpression, info: CallInfo) -> cst.BaseExpression | None:
    """requests' timeout is per connect and per read, never a total; None is no timeout."""
    if _is_name(value, "None"):
        return None
    if isinstance(value, cst.Tuple) and len(value.elements) == 2:
        connect, read = (e.value for e in value.elements)
        return build.client_timeout(_or_none(connect), _or_none(read))
    if isinstance(value, (cst.Integer, cst.Float, cst.Name, cst.Attribute)):
        return build.client_timeout(value, value)
    info.problems.append(
        Problem(
            value,
            "AM212",
            "timeout= expression that would be evaluated twice; use a name or a literal",
        )
    )
    return value


def _or_none(value: cst.BaseExpression) -> cst.BaseExpression | None:
    return None if _is_name(value, "None") else value


def _form(value: cst.BaseExpression, info: CallInfo, lookups: Lookups | None, form: str) -> bool:
    """``files={"f": ("name.txt", content, "text/plain")}`` -> an ``aiohttp.FormData``.

    Only (filename, content, content type) triples are faithful: without a content type
    requests sends none for the part and aiohttp guesses one.
    """
    if not isinstance(value, cst.Dict) or not value.elements:
        info.problems.append(Problem(value, "AM212", "files= that is not a dict literal"))
        return False
    fields = []
    for element in value.elements:
        triple = element.value if isinstance(element, cst.DictElement) else None
        if not (
            isinstance(element, cst.DictElement)
            and isinstance(element.key, cst.SimpleString)
            and isinstance(triple, cst.Tuple)
            and len(triple.elements) == 3
            and isinstance(triple.elements[0].value, cst.SimpleString)
            and str(triple.elements[0].value.evaluated_value).isascii()
        ):
            info.problems.append(
                Problem(
                    element,
                    "AM212",
                    "files= entry other than (ASCII filename literal, content, content type): "
                    "aiohttp would send a guessed part Content-Type where requests sends none",
                )
            )
            continue
        filename, content, content_type = (e.value for e in triple.elements)
        if lookups is not None and not _simple_content(content, lookups):
            info.problems.append(
                Problem(content, "AM212", "files= content other than a name, literal or open(...)")
            )
        fields.append(
            build.statement(
                cst.Expr(
                    build.call(
                        build.attr(cst.Name(form), "add_field"),
                        [
                            cst.Arg(element.key),
                            cst.Arg(content),
                            kwarg("filename", filename),
                            kwarg("content_type", content_type),
                        ],
                    )
                )
            )
        )
    create = build.statement(
        cst.Assign(
            targets=[cst.AssignTarget(cst.Name(form))],
            value=build.call(dotted("aiohttp.FormData"), []),
        )
    )
    info.before = [create, *fields]
    return True


def _simple_content(node: cst.BaseExpression, lookups: Lookups) -> bool:
    if isinstance(node, (cst.Name, cst.Attribute, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Call) and "builtins.open" in lookups.qualified_names(node.func):
        return all(
            isinstance(a.value, (cst.Name, cst.Attribute, cst.SimpleString)) for a in node.args
        )
    return False
