"""The ``requests`` codemod, declared: requests in a coroutine -> aiohttp, faithfully."""

from __future__ import annotations

from codemods.core.spec import Code, CodemodSpec, Severity, Targets

SPEC = CodemodSpec(
    name="requests",
    description="requests in a coroutine -> aiohttp, faithfully",
    command="codemods.requests.command:RequestsCommand",
    codes=(
        Code(
            "AM201",
            Severity.REWRITE,
            "requests call rewritten to an aiohttp request in one ClientSession per coroutine",
            ruff=("ASYNC210",),
        ),
        Code(
            "AM202",
            Severity.REWRITE,
            "requests.Session rewritten to aiohttp.ClientSession",
            ruff=("ASYNC210",),
        ),
        Code(
            "AM203",
            Severity.REWRITE,
            "except clause for requests exceptions rewritten to aiohttp's exceptions",
        ),
        Code(
            "AM210",
            Severity.FINDING,
            "response escapes the coroutine (returned, yielded, stored, passed on)",
        ),
        Code(
            "AM211",
            Severity.FINDING,
            "response attribute or method with no faithful aiohttp equivalent",
        ),
        Code(
            "AM212",
            Severity.FINDING,
            "request argument with no faithful aiohttp equivalent",
        ),
        Code(
            "AM213",
            Severity.FINDING,
            "params/data value that may be None or a bool, which aiohttp treats differently",
        ),
        Code(
            "AM214",
            Severity.FINDING,
            "except clause for requests exceptions with no faithful aiohttp equivalent",
        ),
        Code(
            "AM215",
            Severity.FINDING,
            "requests.Session used in a way that cannot be translated",
        ),
        Code(
            "AM216",
            Severity.FINDING,
            "request in a place the codemod cannot restructure faithfully",
        ),
        Code(
            "AM217",
            Severity.FINDING,
            "requests call left unchanged because of another finding in the same coroutine",
        ),
        Code(
            "AM218",
            Severity.FINDING,
            "requests function referenced without being called",
        ),
        Code(
            "AM219",
            Severity.FINDING,
            "a name the rewrite needs (aiohttp, asyncio, json) is bound to something else",
        ),
        Code(
            "AM220",
            Severity.FINDING,
            "a requests call left unchanged because a thread lock is held around it",
        ),
    ),
    targets=Targets(tokens=(b"requests",), names=frozenset({"requests.*"})),
)
