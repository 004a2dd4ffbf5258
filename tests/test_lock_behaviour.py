"""A blocking call under a thread lock in a coroutine stays as it is, and is reported.

Awaiting there would keep the lock across the await: another coroutine that then takes
the same lock blocks the event loop's thread, and the first one can never resume. The
script below finishes before migration; a migration that awaited the sleep would hang it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli

SCRIPT = """\
import asyncio
import threading
import time

lock = threading.Lock()


async def holder(out):
    with lock:
        time.sleep(0.2)
        out.append("holder")
    time.sleep(0.05)
    out.append("holder done")


async def taker(out):
    await asyncio.sleep(0.05)
    with lock:
        out.append("taker")


async def main():
    out = []
    await asyncio.gather(holder(out), taker(out))
    print(out)


asyncio.run(main())
"""


def _run(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout


def test_sleep_under_a_thread_lock_is_reported_and_the_program_still_finishes(
    tmp_path: Path,
) -> None:
    script = tmp_path / "locked.py"
    script.write_text(SCRIPT, encoding="utf-8")
    before = _run(script)

    result = run_cli(str(script))

    assert result.returncode == 0, result.stderr
    assert f"{script}:10:9: AM106 " in result.stderr.decode()
    migrated = script.read_text(encoding="utf-8")
    assert "        time.sleep(0.2)\n" in migrated  # under the lock: untouched
    assert '    await asyncio.sleep(0.05)\n    out.append("holder done")' in migrated
    assert _run(script) == before
