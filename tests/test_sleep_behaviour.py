"""Migrated sleep code runs, returns what the original returned, and runs concurrently."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from async_migrate import migrate_source

SOURCE = """
import time
from time import sleep as pause


async def worker(i, delay):
    time.sleep(delay)
    pause(0)
    return i * 2 if time.sleep(0) is None else -1


async def gather_all(n, delay):
    return await asyncio.gather(*(worker(i, delay) for i in range(n)))
"""


def _load(code: bytes | str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__["asyncio"] = asyncio  # gather_all uses it in both versions
    exec(compile(code, name, "exec"), module.__dict__)
    return module


def _timed(module: types.ModuleType, n: int, delay: float) -> tuple[list[int], float]:
    start = time.perf_counter()
    result = asyncio.run(module.gather_all(n, delay))
    return result, time.perf_counter() - start


@pytest.mark.timing
def test_gathered_sleeps_run_concurrently_after_migration() -> None:
    migrated = migrate_source(SOURCE)
    assert migrated.changed and len(migrated.rewrites) == 3
    original = _load(SOURCE, "original")
    after = _load(migrated.code, "migrated")

    n, delay = 5, 0.2
    before_result, before_time = _timed(original, n, delay)
    after_result, after_time = _timed(after, n, delay)

    assert before_result == after_result == [0, 2, 4, 6, 8]
    assert before_time >= n * delay * 0.9  # the original blocks: the sleeps add up
    assert after_time < n * delay / 2.5  # migrated: about one delay, with a wide margin
    assert after_time >= delay * 0.9


@pytest.mark.timing
def test_a_sleep_already_handed_to_a_thread_is_left_alone_and_runs(tmp_path: Path) -> None:
    """``asyncio.to_thread(time.sleep, ...)`` is the fix, not a finding: the tool reports
    nothing, changes nothing, and the program keeps running its sleeps together."""
    source = (
        "import asyncio\nimport time\n\n\n"
        "async def nap():\n"
        "    await asyncio.to_thread(time.sleep, 0.2)\n\n\n"
        "async def main():\n"
        "    started = time.perf_counter()\n"
        "    await asyncio.gather(nap(), nap(), nap())\n"
        "    print(round(time.perf_counter() - started, 2))\n\n\n"
        "asyncio.run(main())\n"
    )
    result = migrate_source(source)
    assert not result.changed and result.findings == []
    script = tmp_path / "nap.py"
    script.write_text(source)
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert float(ran.stdout) < 0.5
