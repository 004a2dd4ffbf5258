"""Offloaded calls return what the original returned, and the loop keeps ticking."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from async_migrate import migrate_source
from codemods.offload.command import OffloadCommand
from tests.behaviour import fixture_modules, http_server, load, with_heartbeat
from tests.conftest import run_cli

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


@pytest.mark.timing
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


def test_a_file_passed_to_a_parser_keeps_its_finding(tmp_path: Path) -> None:
    """The files codemod refuses ``with open(p, "rb") as f: tomllib.load(f)`` (tomllib
    reads ``f`` synchronously); the fallback must not offload only the open() and drop
    that finding: the code stays as it was, runs the same, and --check still fails."""
    source = (
        "import asyncio\nimport sys\nimport tomllib\n\n\n"
        "async def load(path):\n"
        '    with open(path, "rb") as f:\n'
        "        return tomllib.load(f)\n\n\n"
        "print(asyncio.run(load(sys.argv[1])))\n"
    )
    script = tmp_path / "loader.py"
    script.write_text(source)
    (tmp_path / "config.toml").write_text("debug = true\n")
    checked = run_cli("--check", "--no-cache", str(script))
    assert checked.returncode == 1
    assert b"AM310" in checked.stderr and b"tomllib.load" in checked.stderr
    migrated = run_cli("--no-cache", str(script))
    assert migrated.returncode == 0
    assert script.read_text() == source
    ran = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "config.toml")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip() == "{'debug': True}"


def test_a_blocking_key_function_gives_the_same_order(tmp_path: Path) -> None:
    """The fixtures' ``sort``, ``min``, ``max`` and ``sorted`` with ``os.path.getmtime``
    and ``os.path.getsize`` as the key, or called by a ``key`` lambda, original and
    migrated, on real files."""
    import os

    from tests.conftest import FIXTURES

    paths = []
    for number, size in enumerate((30, 10, 20)):
        path = tmp_path / f"f{number}.log"
        path.write_bytes(b"x" * size)
        os.utime(path, (1_000_000 + number, 1_000_000 + (2 - number) * 10))
        paths.append(str(path))
    case = FIXTURES / "offload" / "blocking_key_function_offloaded.py"
    results = [
        (asyncio.run(module.newest(str(tmp_path))), asyncio.run(module.extremes(paths)))
        for module in fixture_modules(case)
    ]
    assert results[0] == results[1]
    assert results[0][0] == paths and results[0][1] == (paths[1], paths[::-1])
    case = FIXTURES / "offload" / "blocking_key_lambda_offloaded.py"
    results = [
        (asyncio.run(module.newest(paths)), asyncio.run(module.by_size(list(paths))))
        for module in fixture_modules(case)
    ]
    assert results[0] == results[1] == (paths[0], [paths[0], paths[2], paths[1]])


@pytest.mark.timing
def test_objects_kept_on_self_written_the_same_while_appends_run_together(
    tmp_path: Path,
) -> None:
    """A file and an event a class keeps on ``self``: the migrated appends write the same
    lines, and five of them pausing on the event (never set) run together instead of one
    by one."""
    case = Path(__file__).parent / "fixtures" / "offload" / "object_kept_on_self_offloaded.py"
    times = []
    for module in fixture_modules(case):
        path = tmp_path / f"{module.__name__}.log"
        journal = module.Journal(str(path))

        async def run(journal: object = journal) -> float:
            start = asyncio.get_running_loop().time()
            await asyncio.gather(*(journal.append(f"line {i}") for i in range(5)))  # type: ignore[attr-defined]
            return asyncio.get_running_loop().time() - start

        times.append(asyncio.run(run()))
        journal.close()  # type: ignore[attr-defined]
        lines = sorted(path.read_text(encoding="utf-8").splitlines())
        assert lines == [f"line {i}" for i in range(5)]
    before, after = times
    assert before >= 0.9  # five 0.2 s waits, one after the other
    # together: 0.2 s on an idle machine, 0.43 s seen with the suite's workers beside it
    assert after * 1.6 < before, (before, after)
