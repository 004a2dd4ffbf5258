"""Migrated httpx, urllib and urllib3 calls, against a real aiohttp server on 127.0.0.1,
return what the originals returned, and the loop keeps ticking during the requests."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from async_migrate import migrate_source
from codemods.http.command import HttpCommand
from tests.behaviour import http_server, load, with_heartbeat

SOURCE = """
import httpx
import urllib3
from urllib.request import urlopen

pool = urllib3.PoolManager()


async def fetch_all(api):
    r = httpx.get(f"{api}/items/7", params={"lang": "en"}, timeout=3)
    r.raise_for_status()
    created = httpx.post(api + "/items", json={"title": "new"}).json()
    with httpx.Client(base_url=api, timeout=10) as client:
        client.put("/items/7", json={"title": "put"})
        listing = client.get("/items")
    with urlopen(api + "/items/7", timeout=5) as resp:
        raw = resp.read()
    pooled = pool.request("GET", api + "/items/7")
    missing = httpx.get(api + "/nowhere")
    return (
        r.status_code,
        r.json(),
        created,
        listing.json(),
        listing.headers["x-count"],
        raw,
        pooled.status,
        pooled.data,
        missing.status_code,
    )
"""

routes = web.RouteTableDef()


@routes.get("/items/{id}")
async def item(request: web.Request) -> web.Response:
    await asyncio.sleep(0.05)
    lang = request.query.get("lang", "")
    return web.json_response({"id": request.match_info["id"], "lang": lang})


@routes.get("/items")
async def items(request: web.Request) -> web.Response:
    await asyncio.sleep(0.05)
    return web.json_response([1, 2], headers={"X-Count": "2"})


@routes.post("/items")
async def create(request: web.Request) -> web.Response:
    await asyncio.sleep(0.05)
    return web.json_response({"created": (await request.json())["title"]}, status=201)


@routes.put("/items/{id}")
async def put(request: web.Request) -> web.Response:
    await asyncio.sleep(0.05)
    return web.json_response({"put": True})


@pytest.mark.timing
def test_results_equal_and_the_loop_keeps_running() -> None:
    migrated = migrate_source(SOURCE, [HttpCommand])
    codes = sorted(f.code for f in migrated.findings)
    assert codes == ["AM521", "AM521", "AM521", "AM522", "AM523", "AM523", "AM523"]
    assert b"async with httpx.AsyncClient(base_url=api, timeout=10) as client:" in migrated.code

    outcomes = []
    with http_server(routes) as api:
        for code, name in ((SOURCE, "original"), (migrated.code, "migrated")):
            module = load(code, name)
            outcomes.append(asyncio.run(with_heartbeat(lambda m=module: m.fetch_all(api))))
    (before, before_ticks), (after, after_ticks) = outcomes
    assert before == after
    assert before[:4] == (200, {"id": "7", "lang": "en"}, {"created": "new"}, [1, 2])
    assert before[-1] == 404
    # Seven requests of 50 ms each: the original blocks the loop for all of them.
    assert before_ticks <= 5
    assert after_ticks >= 15
