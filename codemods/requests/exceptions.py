"""``except`` clauses for requests' exceptions -> aiohttp's (docs/codemods/requests.md).

Only the handlers of a ``try`` whose body runs a rewritten request (or a rewritten
``raise_for_status()`` / ``.json()``) are changed: the exceptions there now come from aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from codemods.core.build import dotted
from codemods.core.lookups import Lookups
from codemods.core.problems import Problem
from codemods.requests import build

#: requests exception -> the aiohttp (or stdlib) exceptions raised in the same situations.
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "RequestException": ("aiohttp.ClientError", "asyncio.TimeoutError"),
    "ConnectionError": ("aiohttp.ClientConnectionError",),
    "Timeout": ("asyncio.TimeoutError",),
    "ConnectTimeout": ("aiohttp.ConnectionTimeoutError",),
    "ReadTimeout": ("aiohttp.SocketTimeoutError",),
    "HTTPError": ("aiohttp.ClientResponseError",),
    "TooManyRedirects": ("aiohttp.TooManyRedirects",),
    "SSLError": ("aiohttp.ClientSSLError",),
    "JSONDecodeError": ("json.JSONDecodeError",),
    "MissingSchema": ("aiohttp.InvalidURL",),
    "InvalidURL": ("aiohttp.InvalidURL",),
    "InvalidSchema": ("aiohttp.NonHttpUrlClientError",),
}
#: Every exception class requests defines (requests 2.34, ``requests.exceptions``).
REQUESTS_EXCEPTIONS = frozenset(
    {
        *EXCEPTIONS,
        "ChunkedEncodingError", "ContentDecodingError", "FileModeWarning", "InvalidHeader",
        "InvalidJSONError", "InvalidProxyURL", "ProxyError", "RequestsDependencyWarning",
        "RequestsWarning", "RetryError", "StreamConsumedError", "URLRequired",
        "UnrewindableBodyError",
    }
)  # fmt: skip
_CATCH_TIMEOUTS = ("RequestException", "Timeout", "ReadTimeout")  # catch read timeouts
_OS_ERRORS = {"builtins.OSError", "builtins.IOError", "builtins.EnvironmentError"}


@dataclass
class HandlerPlan:
    #: original type node -> the new type expression
    types: dict[cst.CSTNode, cst.BaseExpression] = field(default_factory=dict)
    #: original ``e.response.status_code`` -> ``e.status``
    statuses: dict[cst.CSTNode, cst.BaseExpression] = field(default_factory=dict)
    #: original references to requests names that are replaced
    replaced: list[cst.CSTNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)


def requests_exception(node: cst.CSTNode, lookups: Lookups) -> str | None:
    """The requests exception ``node`` names (``"HTTPError"``), if it names one."""
    for name in lookups.qualified_names(node):
        for prefix in ("requests.exceptions.", "requests."):
            short = name[len(prefix) :]
            if name.startswith(prefix) and short in REQUESTS_EXCEPTIONS:
                return short
    return None


def plan_try(
    node: cst.Try, lookups: Lookups, runs_json: bool, has_timeout: bool, plan: HandlerPlan
) -> None:
    """Add to ``plan`` what the handlers of ``node`` become."""
    catches_timeouts = False
    for handler in node.handlers:
        if handler.type is None:
            continue
        elements = (
            [e.value for e in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        new: list[str | cst.BaseExpression] = []
        changed = http_error = False
        for element in elements:
            if lookups.qualified_names(element) & _OS_ERRORS:
                plan.problems.append(
                    Problem(
                        element,
                        "AM214",
                        "OSError catches every requests exception but only some of aiohttp's; "
                        "name the exceptions you mean",
                    )
                )
                continue
            name = requests_exception(element, lookups)
            if name is None:
                new.append(element)
                continue
            mapped = EXCEPTIONS.get(name)
            if mapped is None:
                plan.problems.append(
                    Problem(element, "AM214", f"requests.{name} has no faithful aiohttp equivalent")
                )
                continue
            if name == "ConnectionError" and has_timeout and not catches_timeouts:
                plan.problems.append(
                    Problem(
                        element,
                        "AM214",
                        "requests.ConnectionError with a timeout set and no Timeout clause "
                        "before it: aiohttp's read timeouts are connection errors",
                    )
                )
                continue
            if name == "RequestException" and runs_json:
                mapped = (*mapped, "json.JSONDecodeError")
            new.extend(mapped)
            changed = True
            http_error = http_error or name == "HTTPError"
            catches_timeouts = catches_timeouts or name in _CATCH_TIMEOUTS
            plan.replaced.append(element)
        if not changed:
            continue
        unique = list(dict.fromkeys(new, None))
        plan.types[handler.type] = _type_expression(unique, handler.type)
        for item in unique:
            if isinstance(item, str):
                plan.modules.add(item.split(".")[0])
        if handler.name is not None and isinstance(handler.name.name, cst.Name):
            _plan_response_uses(handler, handler.name.name.value, http_error, plan)


def _type_expression(
    items: list[str | cst.BaseExpression], original: cst.BaseExpression
) -> cst.BaseExpression:
    nodes = [dotted(i) if isinstance(i, str) else i for i in items]
    if len(nodes) == 1:
        return nodes[0]
    elements = [
        cst.Element(
            n.with_changes(lpar=[], rpar=[]) if isinstance(n, cst.Tuple) else n,
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(nodes) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for i, n in enumerate(nodes)
    ]
    return cst.Tuple(elements)


def _plan_response_uses(
    handler: cst.ExceptHandler, name: str, http_error: bool, plan: HandlerPlan
) -> None:
    """``e.response.status_code`` -> ``e.status``; any other use of ``e.response`` is refused
    (aiohttp's exception carries no response)."""
    response = m.Attribute(value=m.Name(name), attr=m.Name("response"))
    status = m.Attribute(value=response, attr=m.Name("status_code"))
    for found in m.findall(handler.body, status):
        plan.statuses[found] = build.attr(cst.Name(name), "status")
    inner = {id(f.value) for f in m.findall(handler.body, status)}  # type: ignore[attr-defined]
    for found in m.findall(handler.body, response):
        if id(found) in inner and http_error:
            continue
        plan.problems.append(
            Problem(
                found,
                "AM214",
                "e.response used in the handler; aiohttp's exception has only e.status",
            )
        )
