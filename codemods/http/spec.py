"""The ``http`` codemod, declared: httpx/urllib/urllib3 requests in a coroutine ->
httpx.AsyncClient or to_thread."""

from __future__ import annotations

from codemods.core.catalogue import Family, blocking_targets
from codemods.core.explanations import explained, offloading_off
from codemods.core.spec import Code, CodemodSpec, Example, Severity

_WHY = """Why it blocks: httpx's sync API, urllib.request.urlopen and urllib3 do their
network I/O in the event loop's thread: while one waits for the server, no other task
runs. httpx.AsyncClient makes the same request without blocking the loop."""

_SAFE = """Only when every argument is a name, a literal, an attribute, an f-string or an
operation on those, auth= is absent or a tuple, content= absent or a literal, and the
response is not returned, passed on or closed; otherwise the call is offloaded (AM523)."""

AM521 = Code(
    "AM521",
    Severity.REWRITE,
    "httpx.<verb>(...) rewritten to a request on an httpx.AsyncClient",
    ruff=("ASYNC210", "ASYNC211", "ASYNC212"),
    explanation=explained(
        _WHY,
        """What the rewrite does: a statement with httpx.get(url, ...) (any verb, or
        httpx.request) is wrapped in `async with httpx.AsyncClient(...) as client:` and
        the call becomes `await client.get(url, ...)`, the client's arguments (cookies,
        proxy, verify, timeout, trust_env) split from the request's exactly as httpx.get
        splits them.""",
        _SAFE,
    ),
    example=Example(
        before="""\
import httpx


async def title(api):
    r = httpx.get(f"{api}/title", timeout=3)
    return r.json()["title"]
""",
        after="""\
import httpx


async def title(api):
    async with httpx.AsyncClient(timeout=3) as client:
        r = await client.get(f"{api}/title")
    return r.json()["title"]
""",
    ),
)

AM522 = Code(
    "AM522",
    Severity.REWRITE,
    "with httpx.Client() as c rewritten to async with httpx.AsyncClient() as c",
    explanation=explained(
        _WHY,
        """What the rewrite does: `with httpx.Client(...) as c:`, where every use of c in
        the block is a request (get, ..., request, send; close becomes aclose), becomes
        `async with httpx.AsyncClient(...) as c:` with each request awaited.""",
        _SAFE,
    ),
    example=Example(
        before="""\
import httpx


async def put_all(api, items):
    with httpx.Client(base_url=api) as client:
        for item in items:
            client.put(f"/items/{item['id']}", json=item)
""",
        after="""\
import httpx


async def put_all(api, items):
    async with httpx.AsyncClient(base_url=api) as client:
        for item in items:
            await client.put(f"/items/{item['id']}", json=item)
""",
    ),
)

AM523 = Code(
    "AM523",
    Severity.REWRITE,
    "an HTTP call offloaded to a thread: await asyncio.to_thread(...)",
    ruff=("ASYNC210", "ASYNC211", "ASYNC212"),
    explanation=explained(
        _WHY,
        """What the rewrite does: the HTTP calls AM521 and AM522 do not rewrite run in a
        thread, `await asyncio.to_thread(func, *args, **kwargs)`, the same callee and
        arguments evaluated in the same order: other httpx calls, methods of httpx.Client
        objects (from a constructor, a `with` or an annotation), urllib.request.urlopen
        and read() or readline() on its response, urllib3.request and the methods of
        urllib3 pools. requests is left to the requests codemod.""",
    ),
    example=Example(
        before="""\
from urllib.request import urlopen


async def fetch(url):
    with urlopen(url, timeout=5) as resp:
        return resp.read()
""",
        after="""\
import asyncio
from urllib.request import urlopen


async def fetch(url):
    with await asyncio.to_thread(urlopen, url, timeout=5) as resp:
        return await asyncio.to_thread(resp.read)
""",
    ),
)

AM524 = Code(
    "AM524",
    Severity.FINDING,
    "a blocking HTTP call left as is because offloading is off",
    explanation=explained(_WHY, *offloading_off("HTTP")),
    example=Example(
        before="""\
from urllib.request import urlopen


async def fetch(url):
    with urlopen(url, timeout=5) as resp:
        return resp.read()
""",
        options={"offload": False},
    ),
)

AM525 = Code(
    "AM525",
    Severity.FINDING,
    "a blocking HTTP call that cannot be rewritten here (streaming, generator expression,"
    " asyncio bound to something else)",
    explanation=explained(
        _WHY,
        """Why it is refused: client.stream(...) or httpx.stream(...) (offloading the call
        would not help: the body is read in the `with` block that follows), or a call
        inside a generator expression, inside `with <thread lock>:` in a coroutine, or
        where asyncio is bound to something else.""",
        """What to do: stream with httpx.AsyncClient (`async with client.stream(...) as
        r:` and `async for chunk in r.aiter_bytes():`); use a loop instead of a generator
        expression; move the call out of the lock's block; rename the other binding.""",
    ),
    example=Example(
        before="""\
import httpx


async def download(client: httpx.Client, url, out):
    with client.stream("GET", url) as r:
        for chunk in r.iter_bytes():
            out.write(chunk)
"""
    ),
)

#: The blocking calls it handles (its command's ``FAMILIES``).
FAMILIES = frozenset({Family.HTTP})

SPEC = CodemodSpec(
    name="http",
    owns=("http",),
    description="httpx/urllib/urllib3 requests in a coroutine -> httpx.AsyncClient or to_thread",
    command="codemods.http.command:HttpCommand",
    codes=(AM521, AM522, AM523, AM524, AM525),
    offloads=True,
    targets=blocking_targets(
        FAMILIES, (b"httpx", b"urllib", b"urlopen", b"requests", b"Client", b"Pool")
    ),
)
