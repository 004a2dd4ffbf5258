"""Helpers for behaviour tests: load migrated code (or a fixture's, both ways) as a module,
a 10 ms heartbeat that shows whether the event loop kept running, and a real aiohttp
server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
import types
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web


def load(code: bytes | str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, name, "exec"), module.__dict__)
    return module


def fixture_modules(case: Path) -> list[types.ModuleType]:
    """A fixture's case as written and its ``.expected.py`` (the migrated code), loaded."""
    expected = case.with_name(case.stem + ".expected.py")
    return [load(path.read_text(encoding="utf-8"), path.stem) for path in (case, expected)]


async def with_heartbeat(run: Callable[[], Awaitable[Any]]) -> tuple[Any, int]:
    """``run()``'s result, and how many 10 ms ticks another task made meanwhile."""
    ticks = 0

    async def beat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(beat())
    await asyncio.sleep(0)  # let the heartbeat start
    try:
        result = await run()
    finally:
        task.cancel()
    return result, ticks


@contextmanager
def http_server(routes: web.RouteTableDef) -> Iterator[str]:
    """A real aiohttp.web server on 127.0.0.1 with an ephemeral port, run by its own
    event loop in a thread (so blocking clients in the test's loop can reach it)."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(runner.cleanup())
        loop.close()
