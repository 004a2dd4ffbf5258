"""A real aiohttp.web server on 127.0.0.1 (ephemeral port), run in a thread with its own loop,
for behaviour tests that compare requests with the migrated aiohttp code."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

LATIN_BODY = "héllo wörld".encode()  # UTF-8 bytes served as text/plain without a charset


async def _echo(request: web.Request) -> web.Response:
    """Everything the client sent, as JSON served as text/plain (like many real APIs)."""
    body = b""
    form: list[list[str]] = []
    if request.content_type != "multipart/form-data":
        body = await request.read()
    else:
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()
            form.append(
                [
                    part.name or "",
                    part.filename or "",
                    part.headers.get("Content-Type", ""),
                    data.decode("latin-1"),
                ]
            )
    payload = {
        "method": request.method,
        "path": request.path,
        "query": [[k, v] for k, v in request.query.items()],
        "authorization": request.headers.get("Authorization"),
        "x_token": request.headers.get("X-Token"),
        "content_type": request.headers.get("Content-Type"),
        "cookie": request.headers.get("Cookie"),
        "body": body.decode("latin-1"),
        "form": form,
    }
    return web.Response(text=json.dumps(payload), content_type="text/plain")


async def _item(request: web.Request) -> web.Response:
    item = request.match_info["item"]
    return web.Response(text=json.dumps({"title": f"item {item}"}), content_type="text/plain")


async def _status(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    padding = "." * int(request.query.get("padding", "0"))  # a body larger than one read
    return web.Response(status=code, text=f"status {code}{padding}")


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("delay", "0.2")))
    return web.json_response({"slow": True})


async def _drip(request: web.Request) -> web.StreamResponse:
    """Three chunks, ``gap`` seconds apart: slow in total, never idle for long."""
    gap = float(request.query.get("gap", "0.4"))
    response = web.StreamResponse()
    response.content_type = "text/plain"
    await response.prepare(request)
    for i in range(3):
        await asyncio.sleep(gap)
        await response.write(f"chunk{i}\n".encode())
    await response.write_eof()
    return response


async def _latin(request: web.Request) -> web.Response:
    return web.Response(body=LATIN_BODY, headers={"Content-Type": "text/plain"})


async def _json_latin(request: web.Request) -> web.Response:
    body = json.dumps({"name": "héllo"}, ensure_ascii=False).encode()
    return web.Response(body=body, headers={"Content-Type": "text/plain"})


async def _redirect(request: web.Request) -> web.Response:
    n = int(request.match_info["n"])
    if n == 0:
        return web.Response(text="arrived")
    raise web.HTTPFound(f"/redirect/{n - 1}")


async def _lines(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_type = "text/plain"
    await response.prepare(request)
    for chunk in (b"first line\nsec", b"ond line\r\n", b"\nlast"):
        await response.write(chunk)
        await asyncio.sleep(0.01)
    await response.write_eof()
    return response


async def _bytes(request: web.Request) -> web.Response:
    return web.Response(body=bytes(range(256)) * 40, content_type="application/octet-stream")


async def _repeated(request: web.Request) -> web.Response:
    response = web.Response(text="ok")
    response.headers.add("X-Multi", "a")
    response.headers.add("X-Multi", "b")
    response.headers["X-Single"] = "one"
    return response


async def _cookie(request: web.Request) -> web.Response:
    response = web.Response(text="ok")
    response.set_cookie("flavour", "oat")
    return response


class Tracker:
    """What the server saw of ``/tracked/{run}`` requests, per run: how many are open,
    the most open at once, and how each ended (``done`` or ``cancelled``, when the client
    went away: the server runs with handler cancellation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.ended: dict[str, dict[int, str]] = {}

    def started(self, run: str) -> None:
        with self._lock:
            self.open[run] = self.open.get(run, 0) + 1
            self.peak[run] = max(self.peak.get(run, 0), self.open[run])

    def finished(self, run: str, n: int, how: str) -> None:
        with self._lock:
            self.open[run] -= 1
            self.ended.setdefault(run, {})[n] = how


TRACKER = Tracker()


async def _tracked(request: web.Request) -> web.Response:
    """``?n=3&delay=0.2``: answers ``{"n": 3}`` after ``delay`` seconds (``delay / n`` with
    ``stagger=1``, so that later items finish first); ``fail=3``: item 3 answers 500 after
    ``fail_delay`` seconds instead."""
    run, query = request.match_info["run"], request.query
    n = int(query["n"])
    failing = query.get("fail") == str(n)
    delay = float(query.get("delay", "0.2"))
    if failing:
        delay = float(query.get("fail_delay", "0.05"))
    elif query.get("stagger"):
        delay /= n
    TRACKER.started(run)
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        TRACKER.finished(run, n, "cancelled")
        raise
    TRACKER.finished(run, n, "done")
    if failing:
        return web.Response(status=500, text=f"item {n} failed")
    return web.json_response({"n": n})


def _app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/items/{item}", _item)
    app.router.add_route("*", "/status/{code}", _status)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/drip", _drip)
    app.router.add_get("/latin", _latin)
    app.router.add_get("/json-latin", _json_latin)
    app.router.add_route("*", "/redirect/{n}", _redirect)
    app.router.add_get("/lines", _lines)
    app.router.add_get("/bytes", _bytes)
    app.router.add_get("/repeated", _repeated)
    app.router.add_get("/cookie", _cookie)
    app.router.add_get("/tracked/{run}", _tracked)
    return app


@contextmanager
def serve(tls: ssl.SSLContext | None = None, handler_cancellation: bool = False) -> Iterator[str]:
    """Run the server (over TLS when ``tls`` is given) until the block ends; yields its base
    URL. With ``handler_cancellation``, a handler is cancelled when its client goes away."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    async def start() -> None:
        runner = web.AppRunner(_app(), handler_cancellation=handler_cancellation)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
        await site.start()
        holder["runner"] = runner
        holder["port"] = runner.addresses[0][1]

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("test server did not start")
    try:
        scheme = "https" if tls else "http"
        yield f"{scheme}://127.0.0.1:{holder['port']}"
    finally:
        runner = holder["runner"]
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)  # type: ignore[attr-defined]
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def self_signed_context(directory: str) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate (made by ``openssl``)."""
    cert, key = f"{directory}/cert.pem", f"{directory}/key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
