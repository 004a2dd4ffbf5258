"""Offloaded calls return what the original returned, and the loop keeps ticking."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest
from aiohttp import web

from async_migrate import migrate_source
from codemods.offload.command import OffloadCommand
from tests.behaviour import http_server, load, with_heartbeat

SOURCE = """
import os.path
import time

import requests


async def work(path, url, delay):
    size = os.path.getsize(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    time.sleep(delay)
    answer = input("? ")
    body = requests.get(url + "/slow", timeout=5).text
    return size, text, answer, body, os.path.exists(path + ".missing")
"""

routes = web.RouteTableDef()


@routes.get("/slow")
async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.2)
    return web.Response(text="served")


def test_offloaded_calls_give_the_same_results_while_the_loop_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrated = migrate_source(SOURCE, [OffloadCommand])
    assert {f.code for f in migrated.findings} == {"AM601"}
    assert len(migrated.rewrites) == 7
    path = tmp_path / "data.txt"
    path.write_text("héllo\nwörld\n", encoding="utf-8")

    outcomes = []
    with http_server(routes) as url:
        for code, name in ((SOURCE, "original"), (migrated.code, "migrated")):
            monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
            module = load(code, name)
            outcomes.append(
                asyncio.run(with_heartbeat(lambda m=module: m.work(str(path), url, 0.3)))
            )
    (before, before_ticks), (after, after_ticks) = outcomes
    assert before == after == (len(path.read_bytes()), "héllo\nwörld\n", "yes", "served", False)
    # 0.5 s of blocking calls: the original freezes the loop, the migrated code does not.
    assert before_ticks <= 3
    assert after_ticks >= 15


def test_offloaded_call_raises_what_the_original_raised(tmp_path: Path) -> None:
    source = "async def load(path):\n    with open(path) as f:\n        return f.read()\n"
    migrated = migrate_source(source, [OffloadCommand])
    assert b"await asyncio.to_thread(open, path)" in migrated.code
    for code in (source, migrated.code):
        module = load(code, "m")
        with pytest.raises(FileNotFoundError):
            asyncio.run(module.load(str(tmp_path / "missing")))
