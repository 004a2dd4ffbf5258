"""The ``requests`` codemod, declared: requests in a coroutine -> aiohttp, faithfully."""

from __future__ import annotations

from codemods.core.explanations import (
    OFFLOADED_INSTEAD,
    RENAME,
    explained,
    name_taken,
    thread_lock,
)
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets

_WHY = """Why it blocks: requests does its network I/O synchronously: while a request
waits for the server, the event loop's thread waits too and no other task runs. aiohttp
makes the same request without blocking the loop."""


AM201 = Code(
    "AM201",
    Severity.REWRITE,
    "requests call rewritten to an aiohttp request in one ClientSession per coroutine",
    ruff=("ASYNC210",),
    explanation=explained(
        _WHY,
        """What the rewrite does: the coroutine gets one aiohttp.ClientSession, lifted out
        of loops so that they share its connection pool, and the request becomes `async
        with session.<verb>(...) as <the same name>:` around the statements that use the
        response. Arguments keep requests' behaviour where aiohttp's defaults differ: no
        total timeout, proxies from the environment (trust_env), 30 redirects, timeout=t
        per connect and per read. Response uses are translated: .status_code -> .status,
        .json() -> json.loads(await r.text(errors="replace")), .text, .content, headers
        joined as requests joins them.""",
    ),
    example=Example(
        before="""\
import requests


async def status(url):
    r = requests.get(url)
    return r.status_code
""",
        after="""\
import aiohttp


async def status(url):
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=True,
    ) as session:
        async with session.get(url, max_redirects=30) as r:
            return r.status
""",
    ),
)

AM202 = Code(
    "AM202",
    Severity.REWRITE,
    "requests.Session rewritten to aiohttp.ClientSession",
    ruff=("ASYNC210",),
    explanation=explained(
        _WHY,
        """What the rewrite does: `with requests.Session() as s:`, or a session assigned
        to a local (wrapped up to its last use), becomes `async with
        aiohttp.ClientSession(...) as s:` with the arguments of AM201 and a cookie jar
        that keeps cookies from IP hosts, as requests does. s.headers updates are kept,
        `s.auth = (user, password)` becomes the Authorization header requests sends,
        requests on s are rewritten like module calls, and a final s.close() goes (the
        block closes the session).""",
    ),
    example=Example(
        before="""\
import requests


async def status(url, token):
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {token}"
        return s.get(url).status_code
""",
        after="""\
import aiohttp


async def status(url, token):
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=True,
    ) as s:
        s.headers["Authorization"] = f"Bearer {token}"
        async with s.get(url, max_redirects=30) as resp:
            return resp.status
""",
    ),
)

AM203 = Code(
    "AM203",
    Severity.REWRITE,
    "except clause for requests exceptions rewritten to aiohttp's exceptions",
    explanation=explained(
        _WHY,
        """What the rewrite does: in a try whose body runs a rewritten request,
        raise_for_status() or .json(), an except clause naming requests exceptions catches
        aiohttp's instead: RequestException -> (aiohttp.ClientError,
        asyncio.TimeoutError), ConnectionError -> aiohttp.ClientConnectionError, Timeout
        -> asyncio.TimeoutError, HTTPError -> aiohttp.ClientResponseError (with
        e.response.status_code -> e.status), JSONDecodeError -> json.JSONDecodeError, and
        the others listed in docs/codemods/requests.md. Clauses the mapping cannot keep
        are reported as AM214.""",
    ),
    example=Example(
        before="""\
import requests


async def reachable(url):
    try:
        return requests.head(url).ok
    except requests.ConnectionError:
        return False
""",
        after="""\
import aiohttp


async def reachable(url):
    try:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=True,
        ) as session:
            async with session.head(url) as resp:
                return resp.ok
    except aiohttp.ClientConnectionError:
        return False
""",
    ),
)

AM210 = Code(
    "AM210",
    Severity.FINDING,
    "response escapes the coroutine (returned, yielded, stored, passed on)",
    explanation=explained(
        _WHY,
        """Why it is refused: the response leaves the coroutine: it is returned, yielded,
        passed to a function, or stored on an attribute, in a container or in a global.
        Whoever receives it expects requests' synchronous Response (r.status_code,
        r.json()); an aiohttp response has another API and is closed when its block
        ends.""",
        """What to do: return what the callers need (r.json(), r.status_code) instead of
        the response, or migrate the callers first; then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def get_raw(url):
    return requests.get(url)
"""
    ),
)

AM211 = Code(
    "AM211",
    Severity.FINDING,
    "response attribute or method with no faithful aiohttp equivalent",
    explanation=explained(
        _WHY,
        """Why it is refused: the response is used in a way aiohttp cannot reproduce
        faithfully: .url (requests spells the final URL differently from str(r.url): a
        '/' after a bare host, the quoting in the query), .elapsed, .encoding, .history,
        .request, .raw, .is_redirect, .close(), .content after the response's block, or
        other uses of .headers, .cookies, iter_content and iter_lines.""",
        """What to do: decide what the code needs (str(r.url) may do) and migrate the
        coroutine by hand, or drop that use and rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def final_url(url):
    r = requests.get(url)
    return r.url
"""
    ),
)

AM212 = Code(
    "AM212",
    Severity.FINDING,
    "request argument with no faithful aiohttp equivalent",
    explanation=explained(
        _WHY,
        """Why it is refused: an argument has no faithful aiohttp equivalent here:
        proxies=, cert=, hooks=, verify=<path>, auth= other than a (user, password) tuple,
        json= with data= or files=, files= entries other than (filename, content, content
        type) triples, *args or **kwargs, or a str or bytes data= body (requests sends no
        Content-Type and encodes str as Latin-1; aiohttp adds one and uses UTF-8).""",
        "What to do: migrate the request by hand.",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def fetch(url, proxies):
    return requests.get(url, proxies=proxies).status_code
"""
    ),
)

AM213 = Code(
    "AM213",
    Severity.FINDING,
    "params/data value that may be None or a bool, which aiohttp treats differently",
    explanation=explained(
        _WHY,
        """Why it is refused: params= or data= is a variable, or a literal with values
        that may be None, a bool or a float. requests drops None values and sends True as
        "True"; aiohttp raises TypeError or encodes them otherwise, so the request sent
        could differ.""",
        """What to do: write the values as strings (str(x)) or literals, in a dict or
        pair-list literal; then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def search(url, q):
    return requests.get(url, params={"q": q}).status_code
"""
    ),
)

AM214 = Code(
    "AM214",
    Severity.FINDING,
    "except clause for requests exceptions with no faithful aiohttp equivalent",
    explanation=explained(
        _WHY,
        """Why it is refused: an except clause around the request cannot be mapped to
        aiohttp's exceptions faithfully: other requests exceptions (ChunkedEncodingError,
        ...), OSError or IOError (they catch every requests exception but only some of
        aiohttp's), ConnectionError when a timeout is set and no Timeout clause comes
        first (aiohttp's read timeouts are connection errors), a use of e.response other
        than e.response.status_code, or a requests exception raised in the try body.""",
        "What to do: catch the aiohttp exceptions you mean by hand.",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def fetch(url):
    try:
        return requests.get(url).status_code
    except requests.exceptions.ChunkedEncodingError:
        return None
"""
    ),
)

AM215 = Code(
    "AM215",
    Severity.FINDING,
    "requests.Session used in a way that cannot be translated",
    explanation=explained(
        _WHY,
        """Why it is refused: the requests.Session escapes the coroutine, is mounted with
        an adapter (s.mount(...)), has settings aiohttp's session does not take the same
        way (verify, proxies, params, cookies, ...), is used outside the statements it was
        opened for, or is closed other than by its last statement.""",
        """What to do: migrate the session by hand (an adapter's retries become a retry
        loop around the request).""",
    ),
    example=Example(
        before="""\
import requests
from requests.adapters import HTTPAdapter


async def fetch(url):
    with requests.Session() as s:
        s.mount("https://", HTTPAdapter(max_retries=3))
        return s.get(url).status_code
"""
    ),
)

AM216 = Code(
    "AM216",
    Severity.FINDING,
    "request in a place the codemod cannot restructure faithfully",
    explanation=explained(
        _WHY,
        """Why it is refused: the request sits where an `async with` block cannot be
        wrapped around it without changing what runs when: a while or elif test, a
        one-line body (if x: requests.post(u)), a conditional part of an expression (a or
        requests.get(u)), a statement where another call would change order, a generator
        expression; or its response is used in a nested function, or its name is bound to
        several responses or to something else too.""",
        """What to do: move the request to a statement of its own (r = requests.get(u))
        and rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def wait_ready(url):
    while requests.get(url).status_code != 200:
        pass
"""
    ),
)

AM217 = Code(
    "AM217",
    Severity.FINDING,
    "requests call left unchanged because of another finding in the same coroutine",
    explanation=explained(
        _WHY,
        """Why it is refused: another requests call of the same coroutine cannot be
        migrated (it is reported with its own code, on the line this message names), and
        migrating only some of a coroutine's requests would mix two session models.""",
        """What to do: fix the finding on that line; when you rerun, this call is
        migrated too.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def both(url):
    a = requests.get(url)
    b = requests.get(url, hooks={})
    return a.status_code, b.status_code
"""
    ),
)

AM218 = Code(
    "AM218",
    Severity.FINDING,
    "requests function referenced without being called",
    explanation=explained(
        _WHY,
        """Why it is refused: requests.get (or another requests function) is referenced
        without being called: stored, returned or passed on. Whoever calls it later blocks
        the loop, and an awaitable cannot take its place. Passing it to asyncio.to_thread
        or loop.run_in_executor already runs it off the loop: that is left alone, with no
        finding.""",
        """What to do: call it in a coroutine where it is needed, or run it with
        asyncio.to_thread.""",
    ),
    example=Example(
        before="""\
import requests


async def register(callbacks):
    callbacks.append(requests.get)
"""
    ),
)

AM219 = Code(
    "AM219",
    Severity.FINDING,
    "a name the rewrite needs (aiohttp, asyncio, json) is bound to something else",
    explanation=explained(
        _WHY,
        name_taken("the modules aiohttp, json and asyncio"),
        RENAME,
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import requests


async def fetch(url, json):
    r = requests.get(url)
    return r.json()
"""
    ),
)

AM220 = Code(
    "AM220",
    Severity.FINDING,
    "a requests call left unchanged because a thread lock is held around it",
    explanation=explained(_WHY, *thread_lock("the request")),
    example=Example(
        before="""\
import threading

import requests

lock = threading.Lock()


async def fetch(url):
    with lock:
        return requests.get(url).status_code
"""
    ),
)

SPEC = CodemodSpec(
    name="requests",
    owns=("requests",),
    description="requests in a coroutine -> aiohttp, faithfully",
    command="codemods.requests.command:RequestsCommand",
    codes=(
        AM201,
        AM202,
        AM203,
        AM210,
        AM211,
        AM212,
        AM213,
        AM214,
        AM215,
        AM216,
        AM217,
        AM218,
        AM219,
        AM220,
    ),
    targets=Targets(tokens=(b"requests",), names=frozenset({"requests.*"})),
)
