"""What the requests codemod recognises, and the codes it records."""

from __future__ import annotations

METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
#: ``requests.<method>`` and its home module ``requests.api.<method>``.
MODULE_FUNCTIONS = {f"requests.{m}": m for m in METHODS} | {f"requests.api.{m}": m for m in METHODS}
SESSION_CLASSES = {"requests.Session", "requests.session", "requests.sessions.Session"}

#: Keyword names of the positional parameters after the URL, per requests' signatures.
MODULE_POSITIONAL = {
    "get": ("params",),
    "post": ("data", "json"),
    "put": ("data",),
    "patch": ("data",),
}
SESSION_POSITIONAL = {
    "post": ("data", "json"),
    "put": ("data",),
    "patch": ("data",),
}

CODES = {
    "AM201": "requests call rewritten to an aiohttp request in one ClientSession per coroutine",
    "AM202": "requests.Session rewritten to aiohttp.ClientSession",
    "AM203": "except clause for requests exceptions rewritten to aiohttp's exceptions",
    "AM210": "response escapes the coroutine (returned, yielded, stored, passed on)",
    "AM211": "response attribute or method with no faithful aiohttp equivalent",
    "AM212": "request argument with no faithful aiohttp equivalent",
    "AM213": "params/data value that may be None or a bool, which aiohttp treats differently",
    "AM214": "except clause for requests exceptions with no faithful aiohttp equivalent",
    "AM215": "requests.Session used in a way that cannot be translated",
    "AM216": "request in a place the codemod cannot restructure faithfully",
    "AM217": "requests call left unchanged because of another finding in the same coroutine",
    "AM218": "requests function referenced without being called",
    "AM219": "a name the rewrite needs (aiohttp, asyncio, json) is bound to something else",
    "AM220": "a requests call left unchanged because a thread lock is held around it",
}
