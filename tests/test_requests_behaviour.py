"""Migrated requests code returns what the original returned, against a real server.

Every coroutine in SOURCE is run twice against the same aiohttp.web server on 127.0.0.1:
once as written (real ``requests``) and once after ``migrate_source`` (all codemods, so
``time.sleep`` in the retry loop is migrated too). Results are compared; a few are also
checked against known values so that both sides cannot agree on something wrong.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from async_migrate import migrate_source
from tests.http_server import LATIN_BODY, closed_port_url

SOURCE = '''
import json
import time

import requests
from requests import get as http_get, request as http_request


async def status_and_json(base):
    r = requests.get(base + "/items/7")
    return r.status_code, r.json(), r.ok, r.reason


async def status_404(base):
    r = requests.get(base + "/status/404")
    return r.status_code, r.ok, r.reason, r.text


async def raise_404(base):
    try:
        r = requests.get(base + "/status/404")
        r.raise_for_status()
        return "no error"
    except requests.HTTPError as e:
        return f"http {e.response.status_code}"


async def raise_302_is_fine(base):
    r = requests.get(base + "/redirect/1", allow_redirects=False)
    r.raise_for_status()
    return r.status_code, r.headers["Location"]


async def refused(url):
    try:
        requests.get(url + "/echo")
        return "connected"
    except requests.ConnectionError:
        return "refused"


async def refused_request_exception(url):
    try:
        r = requests.get(url, timeout=1)
        return r.status_code
    except requests.exceptions.RequestException:
        return "failed"


async def read_timeout(base):
    try:
        r = requests.get(base + "/slow", params={"delay": "1"}, timeout=0.3)
        return r.status_code
    except requests.Timeout:
        return "timeout"


async def timeout_then_connection_error(base):
    try:
        r = requests.get(base + "/slow", params={"delay": "1"}, timeout=(2, 0.3))
        return r.status_code
    except requests.ReadTimeout:
        return "read timeout"
    except requests.ConnectionError:
        return "connection error"


async def dripping_body_within_timeout(base):
    # each gap (0.3 s) is below the timeout, the whole body (0.9 s) is not
    r = requests.get(base + "/drip", params={"gap": "0.3"}, timeout=0.6)
    return r.text


async def auth_header(base):
    r = requests.get(base + "/echo", auth=("user", "pässword"))
    return r.json()["authorization"]


async def auth_and_headers(base):
    r = requests.get(base + "/echo", headers={"X-Token": "t", "X-Gone": None}, auth=("a", "b"))
    echo = r.json()
    return echo["authorization"], echo["x_token"]


async def query_strings(base):
    r = requests.get(
        base + "/echo?x=1",
        params={"a": "b c", "n": 5, "skip": None, "flag": True, "many": ["1", "2"]},
    )
    return r.json()["query"]


async def form_body(base):
    r = requests.post(base + "/echo", data={"k": "v w", "gone": None, "n": 3})
    echo = r.json()
    return echo["method"], echo["body"], echo["content_type"]


async def json_body(base):
    r = requests.put(base + "/echo", json={"a": [1, 2], "b": "é"})
    echo = r.json()
    return echo["method"], echo["body"], echo["content_type"]


async def raw_json_body(base):
    payload = {"x": 1}
    r = requests.patch(
        base + "/echo", data=json.dumps(payload), headers={"Content-Type": "application/json"}
    )
    echo = r.json()
    return echo["body"], echo["content_type"]


async def latin_text(base):
    r = requests.get(base + "/latin")
    return r.text


async def json_served_as_text_latin(base):
    return requests.get(base + "/json-latin").json()


async def bytes_content(base):
    r = requests.get(base + "/bytes")
    return len(r.content), r.content[:5]


async def text_after_redirects(base):
    r = requests.get(base + "/redirect/3")
    return r.text, r.status_code


async def many_redirects(base):
    r = requests.get(base + "/redirect/15")
    return r.status_code, r.text


async def head_does_not_follow(base):
    r = requests.head(base + "/redirect/1")
    return r.status_code


async def repeated_headers(base):
    r = requests.get(base + "/repeated")
    return (
        r.headers["X-Multi"],
        r.headers.get("x-single"),
        r.headers.get("X-None", "default"),
        "X-Single" in r.headers,
    )


async def response_cookie(base):
    r = requests.get(base + "/cookie")
    return r.cookies["flavour"]


async def used_after_try(base):
    try:
        r = requests.get(base + "/items/3")
    except requests.ConnectionError:
        return None
    return r.json()["title"], r.text.upper(), r.status_code


async def streamed_lines(base):
    r = requests.get(base + "/lines", stream=True)
    lines = []
    for line in r.iter_lines():
        lines.append(line)
    return lines


async def streamed_chunks(base):
    r = requests.get(base + "/bytes", stream=True)
    total = b""
    for chunk in r.iter_content(1000):
        total += chunk
    return len(total), total[:10]


async def with_stream(base):
    with requests.get(base + "/bytes", stream=True) as r:
        size = 0
        for chunk in r.iter_content(chunk_size=None):
            size += len(chunk)
    return size


async def session_with_headers_and_auth(base):
    with requests.Session() as s:
        s.headers.update({"X-Token": "abc"})
        s.auth = ("u", "p")
        r = s.get(base + "/echo")
        echo = r.json()
    return echo["x_token"], echo["authorization"]


async def local_session(base):
    s = requests.Session()
    s.headers["X-Token"] = "t"
    r = s.post(base + "/echo", json={"a": 1})
    s.close()
    return r.json()["x_token"], r.json()["body"]


async def session_keeps_cookies(base):
    with requests.Session() as s:
        s.get(base + "/cookie")
        echo = s.get(base + "/echo").json()
    return echo["cookie"]


async def module_calls_do_not_share_cookies(base):
    requests.get(base + "/cookie")
    return requests.get(base + "/echo").json()["cookie"]


async def import_forms(base):
    a = http_get(base + "/items/1").json()["title"]
    b = http_request("GET", base + "/items/2").json()["title"]
    return a, b


async def retry(base, attempts):
    for attempt in range(attempts):
        try:
            url = base + "/status/503" if attempt < 2 else base + "/items/9"
            r = requests.get(url, timeout=2)
            r.raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.05)
    return r.json()["title"], attempt


class Client:
    def __init__(self, base_url):
        self.base_url = base_url

    async def title(self, item):
        r = requests.get(f"{self.base_url}/items/{item}", timeout=5)
        return r.json()["title"]


async def pages(base, n):
    for i in range(n):
        r = requests.get(f"{base}/items/{i}")
        yield r.json()["title"]


async def handler(base, item_id: int):
    """A FastAPI-style endpoint: the handler calls another service."""
    r = requests.get(f"{base}/items/{item_id}")
    if r.status_code != 200:
        return {"error": r.status_code}
    return {"item": r.json()}


async def upload(base, path):
    with open(path, "rb") as f:
        r = requests.post(
            base + "/echo",
            files={
                "doc": ("report.txt", f, "text/plain"),
                "raw": ("d.bin", b"\\x00\\x01", "application/octet-stream"),
            },
        )
    return r.json()["form"], r.json()["content_type"].split(";")[0]


async def overlapping_responses(base):
    a = requests.get(base + "/items/1")
    b = requests.get(base + "/items/2")
    same = a.text == b.text
    return same, a.json(), b.json()


async def chained_in_for_if_and_statement(base):
    keys = []
    for key in requests.get(base + "/items/5").json():
        keys.append(key)
    if requests.head(base + "/items/5").status_code == 200:
        keys.append("head ok")
    requests.post(base + "/echo", json={"a": 1})
    return keys


async def unverified(base):
    try:
        requests.get(base + "/items/1")
        verified = "accepted"
    except requests.exceptions.SSLError:
        verified = "rejected"
    r = requests.get(base + "/items/1", verify=False)
    return verified, r.status_code, r.json()


async def error_text(url):
    r = requests.get(url)
    try:
        r.raise_for_status()
    except requests.HTTPError:
        return "error: " + r.text
    return r.json()


async def fstring_uses(base):
    r = requests.get(base + "/repeated")
    return f"{r.status_code} {r.text} {r.headers['X-Multi']}"


async def other_methods_and_cookies(base):
    d = requests.delete(base + "/echo", cookies={"sid": "42"})
    o = requests.options(base + "/echo")
    return d.json()["method"], d.json()["cookie"], o.json()["method"]


async def slow(base):
    r = requests.get(base + "/slow", params={"delay": "0.2"})
    return r.json()
'''


def _load(code: bytes | str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, name, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def versions() -> tuple[types.ModuleType, types.ModuleType]:
    result = migrate_source(SOURCE)
    assert result.changed
    assert not result.left, [f"{f.line}: {f.code} {f.message}" for f in result.left]
    assert "requests" not in result.code.decode(), "every requests use should be migrated"
    return _load(SOURCE, "original"), _load(result.code, "migrated")


def _run(module: types.ModuleType, name: str, *args: Any) -> Any:
    target = module
    if "." in name:
        cls, name = name.split(".")
        target = getattr(module, cls)(args[0])
        args = args[1:]
    function = getattr(target, name)

    async def main() -> Any:
        result = function(*args)
        if hasattr(result, "__aiter__"):
            return [item async for item in result]
        return await result

    return asyncio.run(main())


def _both(versions: tuple[types.ModuleType, types.ModuleType], name: str, *args: Any) -> Any:
    original, migrated = versions
    before = _run(original, name, *args)
    after = _run(migrated, name, *args)
    assert after == before
    return after


CASES: dict[str, Any] = {
    "status_and_json": (200, {"title": "item 7"}, True, "OK"),
    "status_404": (404, False, "Not Found", "status 404"),
    "raise_404": "http 404",
    "raise_302_is_fine": (302, "/redirect/0"),
    "read_timeout": "timeout",
    "timeout_then_connection_error": "read timeout",
    "dripping_body_within_timeout": "chunk0\nchunk1\nchunk2\n",
    "auth_header": "Basic dXNlcjpw5HNzd29yZA==",  # latin-1 bytes, like requests
    "auth_and_headers": ("Basic YTpi", "t"),
    "query_strings": [
        ["x", "1"],
        ["a", "b c"],
        ["n", "5"],
        ["flag", "True"],
        ["many", "1"],
        ["many", "2"],
    ],
    "form_body": ("POST", "k=v+w&n=3", "application/x-www-form-urlencoded"),
    "json_body": ("PUT", '{"a": [1, 2], "b": "\\u00e9"}', "application/json"),
    "raw_json_body": ('{"x": 1}', "application/json"),
    "latin_text": LATIN_BODY.decode("latin-1"),
    "json_served_as_text_latin": {"name": "héllo".encode().decode("latin-1")},
    "bytes_content": (10240, b"\x00\x01\x02\x03\x04"),
    "many_redirects": (200, "arrived"),
    "head_does_not_follow": 302,
    "repeated_headers": ("a, b", "one", "default", True),
    "response_cookie": "oat",
    "used_after_try": ("item 3", '{"TITLE": "ITEM 3"}', 200),
    "streamed_lines": [b"first line", b"second line", b"", b"last"],
    "streamed_chunks": (10240, bytes(range(10))),
    "with_stream": 10240,
    "session_with_headers_and_auth": ("abc", "Basic dTpw"),
    "local_session": ("t", '{"a": 1}'),
    "session_keeps_cookies": "flavour=oat",
    "module_calls_do_not_share_cookies": None,
    "import_forms": ("item 1", "item 2"),
    "handler": {"item": {"title": "item 4"}},
    "overlapping_responses": (False, {"title": "item 1"}, {"title": "item 2"}),
    "chained_in_for_if_and_statement": ["title", "head ok"],
    "fstring_uses": "200 ok a, b",
    "other_methods_and_cookies": ("DELETE", "sid=42", "OPTIONS"),
}


def test_module_calls_do_not_share_cookies_on_a_host_name(versions, http_server: str) -> None:
    """aiohttp's default jar keeps cookies for host names (not for IP addresses), so one
    shared session would send the cookie of the first call with the second."""
    by_name = http_server.replace("127.0.0.1", "localhost")
    assert _both(versions, "module_calls_do_not_share_cookies", by_name) is None
    assert _both(versions, "session_keeps_cookies", by_name) == "flavour=oat"


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_result_as_requests(versions, http_server: str, name: str) -> None:
    args: tuple[Any, ...] = (http_server, 4) if name == "handler" else (http_server,)
    assert _both(versions, name, *args) == CASES[name]


def test_text_after_redirects(versions, http_server: str) -> None:
    assert _both(versions, "text_after_redirects", http_server) == ("arrived", 200)


def test_final_url_spellings_differ_so_url_is_refused(http_server: str) -> None:
    """Why ``.url`` is refused (AM211): the two libraries spell the same final URL apart."""
    import aiohttp
    import requests

    async def aiohttp_url(url: str) -> str:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as r:
                return str(r.url)

    assert requests.get(http_server).url == http_server + "/"
    assert asyncio.run(aiohttp_url(http_server)) == http_server


@pytest.mark.parametrize("name", ["refused", "refused_request_exception"])
def test_refused_connection(versions, name: str) -> None:
    expected = "refused" if name == "refused" else "failed"
    assert _both(versions, name, closed_port_url()) == expected


def test_multipart_upload(versions, http_server: str, tmp_path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"line one\nline two\n")
    form, content_type = _both(versions, "upload", http_server, str(path))
    assert content_type == "multipart/form-data"
    assert form == [
        ["doc", "report.txt", "text/plain", "line one\nline two\n"],
        ["raw", "d.bin", "application/octet-stream", "\x00\x01"],
    ]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_self_signed_certificate_and_verify_false(versions, https_server: str) -> None:
    assert _both(versions, "unverified", https_server) == (
        "rejected",
        200,
        {"title": "item 1"},
    )


def test_body_read_in_handler_after_raise_for_status(versions, http_server: str) -> None:
    # aiohttp does not release the connection on raise_for_status() inside ``async with``,
    # so the body is still there in the handler, even a large one
    big = _both(versions, "error_text", http_server + "/status/404?padding=300000")
    assert big == "error: status 404" + "." * 300000
    assert _both(versions, "error_text", http_server + "/items/8") == {"title": "item 8"}


def test_retry_loop_with_sleep(versions, http_server: str) -> None:
    assert _both(versions, "retry", http_server, 5) == ("item 9", 2)


def test_class_method_with_base_url(versions, http_server: str) -> None:
    assert _both(versions, "Client.title", http_server, 3) == "item 3"


def test_async_generator(versions, http_server: str) -> None:
    assert _both(versions, "pages", http_server, 3) == ["item 0", "item 1", "item 2"]


@pytest.mark.timing
def test_ten_requests_run_concurrently_after_migration(versions, http_server: str) -> None:
    original, migrated = versions

    def timed(module: types.ModuleType) -> tuple[list[Any], float]:
        async def main() -> list[Any]:
            return await asyncio.gather(*(module.slow(http_server) for _ in range(10)))

        start = time.perf_counter()
        result = asyncio.run(main())
        return result, time.perf_counter() - start

    timed(migrated)  # warm up: first-use costs (imports, thread pools) are not concurrency
    before, before_time = timed(original)
    after, after_time = timed(migrated)
    assert before == after == [{"slow": True}] * 10
    one = 0.2
    assert before_time >= 10 * one * 0.9  # the original blocks: the requests add up
    assert after_time < 2 * one  # migrated: about one request, well under two
    assert after_time >= one * 0.9


def test_ruff_async_rules_flag_the_original_and_not_the_migrated_code() -> None:
    """ruff's ASYNC210 flags blocking HTTP calls in coroutines."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")

    def async_findings(code: bytes | str) -> str:
        data = code.encode() if isinstance(code, str) else code
        run = subprocess.run(
            [ruff, "check", "--isolated", "--select", "ASYNC", "--stdin-filename", "x.py", "-"],
            input=data,
            capture_output=True,
            check=False,
        )
        return run.stdout.decode()

    assert "ASYNC210" in async_findings(SOURCE)
    assert "ASYNC251" in async_findings(SOURCE)  # time.sleep in the retry loop
    migrated = async_findings(migrate_source(SOURCE).code)
    assert "ASYNC210" not in migrated and "ASYNC251" not in migrated, migrated
