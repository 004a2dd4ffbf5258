"""The ``files`` codemod through the real ``async-migrate`` command on a temp tree."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path

from tests.conftest import run_cli

APP = b"""import json
import os


async def save(path, settings):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(settings, f, indent=2)
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f]
    return os.path.getsize(path), lines
"""

APP_MIGRATED = b"""import io
import json

import aiofiles
import aiofiles.os


async def save(path, settings):
    async with aiofiles.open(path, "w", encoding="utf-8") as f:
        await f.write(json.dumps(settings, indent=2))
    async with aiofiles.open(path, encoding="utf-8") as f:
        lines = [line for line in io.StringIO(await f.read())]
    return await aiofiles.os.path.getsize(path), lines
"""

REFUSED = b"""async def handle(path):
    f = open(path)
    return f
"""


def test_cli_migrates_files_and_reports_refusals(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_bytes(APP)
    (src / "refused.py").write_bytes(REFUSED)

    check = run_cli("--check", "--select", "files", "src", cwd=tmp_path)
    assert check.returncode == 1
    assert (src / "app.py").read_bytes() == APP  # --check writes nothing

    result = run_cli("--select", "files", "src", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (src / "app.py").read_bytes() == APP_MIGRATED
    assert (src / "refused.py").read_bytes() == REFUSED
    stderr = result.stderr.decode()
    assert "src/refused.py:2:9: AM310 file 'f' left unchanged: 'f' escapes: it is returned" in (
        stderr
    )
    assert "2 files scanned, 1 changed, 5 rewrites, 1 finding left for manual work" in stderr

    again = run_cli("--select", "files", "src", cwd=tmp_path)
    assert (src / "app.py").read_bytes() == APP_MIGRATED
    assert "0 changed" in again.stderr.decode()

    # The written module runs and gives what the original gives.
    original = runpy.run_path(str(_write(tmp_path / "orig.py", APP)))["save"]
    migrated = runpy.run_path(str(src / "app.py"))["save"]
    settings = {"a": [1, 2], "b": "\u00e9"}
    before = asyncio.run(original(str(tmp_path / "one.json"), settings))
    after = asyncio.run(migrated(str(tmp_path / "two.json"), settings))
    assert before == after
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
