"""``--no-offload``: nothing is sent to a thread, every such call is reported; and one
account per call when several codemods see it."""

from __future__ import annotations

from pathlib import Path

from async_migrate import migrate_source
from codemods.registry import CODEMODS, offload_options
from tests.conftest import run_cli

SOURCE = """import subprocess
import time

import httpx


async def main(client: httpx.Client):
    answer = input("? ")
    subprocess.Popen(["true"])
    client.get("/")
    time.sleep(-1)
    return subprocess.run(["echo", answer], capture_output=True)
"""


def test_without_offloading_only_idiomatic_rewrites_are_made() -> None:
    result = migrate_source(SOURCE, options=offload_options(CODEMODS, offload=False))
    left = {(f.line, f.code) for f in result.left}
    assert left == {(8, "AM602"), (9, "AM504"), (10, "AM524"), (11, "AM103")}
    assert [f.code for f in result.rewrites] == ["AM501"]
    assert b"to_thread" not in result.code


def test_a_call_refused_by_one_codemod_is_offloaded_by_the_fallback() -> None:
    result = migrate_source(SOURCE)
    assert not result.left  # the sleep codemod's AM103 is superseded by the offload
    assert b"await asyncio.to_thread(time.sleep, -1)" in result.code
    assert {(f.line, f.code) for f in result.rewrites} >= {(11, "AM601"), (8, "AM601")}


def test_cli_no_offload_reports_and_leaves_the_call(tmp_path: Path) -> None:
    source = b"async def ask():\n    return input('? ')\n"
    path = tmp_path / "a.py"
    path.write_bytes(source)
    done = run_cli("--no-offload", "a.py", cwd=tmp_path)
    assert done.returncode == 0
    assert path.read_bytes() == source
    assert b"a.py:2:12: AM602 " in done.stderr
    done = run_cli("a.py", cwd=tmp_path)
    expected = (
        b"import asyncio\n\nasync def ask():\n    return await asyncio.to_thread(input, '? ')\n"
    )
    assert path.read_bytes() == expected
