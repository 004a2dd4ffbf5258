"""Migrated process calls, run against real subprocesses, give the same results as the
originals, and run concurrently."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

import pytest

from async_migrate import migrate_source
from codemods.subprocess.command import SubprocessCommand
from tests.behaviour import load, with_heartbeat

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("sh") is None, reason="POSIX shell commands"
)

SOURCE = r"""
import os
import subprocess
from subprocess import check_output


def _fields(done):
    return repr(done)


async def run_all(tmp):
    out = []
    out.append(_fields(subprocess.run(["printf", "a\r\nb\rc"], capture_output=True, text=True)))
    out.append(_fields(subprocess.run(["printf", "a\r\nb"], capture_output=True)))
    out.append(
        _fields(subprocess.run(["cat"], input="hé\n", capture_output=True, text=True, check=True))
    )
    out.append(_fields(subprocess.run(["cat"], input=b"raw", stdout=subprocess.PIPE)))
    out.append(subprocess.call(["sh", "-c", "exit 3"]))
    out.append(subprocess.check_call(["true"], cwd=tmp))
    out.append(check_output(["pwd"], cwd=tmp))
    out.append(check_output(["sh", "-c", "echo $X"], env={"X": "ü"}, text=True))
    out.append(
        _fields(
            subprocess.run(
                ["sh", "-c", "echo out; echo err >&2"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
    )
    out.append(_fields(subprocess.run("echo $((6 * 7))", shell=True, stdout=subprocess.PIPE)))
    out.append(_fields(subprocess.run("exit 0", shell=True, stdout=subprocess.DEVNULL)))
    out.append(os.system("exit 3"))
    out.append(os.system("kill -TERM $$"))
    out.append(subprocess.getoutput("echo hi; exit 1"))
    out.append(subprocess.getstatusoutput("echo hi; exit 1"))
    proc = subprocess.Popen(["sh", "-c", "exit 5"])
    out.append(proc.wait())
    try:
        subprocess.check_call(["false"])
    except subprocess.CalledProcessError as exc:
        out.append((exc.returncode, exc.cmd, exc.output, exc.stderr, str(exc)))
    try:
        subprocess.run(["sh", "-c", "echo o; echo e >&2; exit 2"], capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        out.append((exc.returncode, exc.cmd, exc.output, exc.stderr, str(exc)))
    try:
        check_output(["sh", "-c", "echo partial; exit 4"])
    except subprocess.CalledProcessError as exc:
        out.append((exc.returncode, exc.output, str(exc)))
    try:
        subprocess.run(["/nonexistent/program"])
    except FileNotFoundError as exc:
        out.append(type(exc).__name__)
    try:
        subprocess.run(["true"], capture_output=True, stdout=subprocess.PIPE)
    except ValueError as exc:
        out.append(str(exc))
    return out


async def sleeper(seconds):
    return subprocess.run(["sleep", str(seconds)]).returncode


async def sleep_in_shell(seconds):
    return os.system(f"sleep {seconds}")
"""


def _migrated() -> bytes:
    migrated = migrate_source(SOURCE, [SubprocessCommand])
    codes = {f.code for f in migrated.findings}
    assert codes == {"AM501", "AM502", "AM503"}
    assert not migrated.left
    assert migrated.code.count(b"async def _subprocess_run(") == 1  # one helper per module
    assert migrated.code.count(b"async def _os_system(") == 1
    return migrated.code


def test_results_are_identical(tmp_path: Path) -> None:
    results = [
        asyncio.run(load(code, name).run_all(str(tmp_path)))
        for code, name in ((SOURCE, "original"), (_migrated(), "migrated"))
    ]
    assert results[0] == results[1]
    assert results[0][11:13] == [768, 15]  # os.system's wait statuses, kept
    assert len(results[0]) == 21


@pytest.mark.timing
def test_four_commands_run_concurrently() -> None:
    timings = []
    for code, name in ((SOURCE, "original"), (_migrated(), "migrated")):
        module = load(code, name)

        async def gathered(m=module) -> list[int]:
            return await asyncio.gather(*(m.sleeper(0.3) for _ in range(4)))

        start = time.perf_counter()
        assert asyncio.run(gathered()) == [0, 0, 0, 0]
        timings.append(time.perf_counter() - start)
    before, after = timings
    assert before >= 1.1  # one after the other
    assert after < before / 2.5  # about 0.3 s: concurrent, with a wide margin


@pytest.mark.timing
def test_loop_keeps_ticking_during_os_system() -> None:
    ticks = []
    for code, name in ((SOURCE, "original"), (_migrated(), "migrated")):
        module = load(code, name)
        status, count = asyncio.run(with_heartbeat(lambda m=module: m.sleep_in_shell(0.3)))
        assert status == 0
        ticks.append(count)
    assert ticks[0] <= 3
    assert ticks[1] >= 15


@pytest.mark.timing
def test_a_cancelled_run_kills_its_child() -> None:
    module = load(_migrated(), "migrated")

    async def cancelled() -> float:
        task = asyncio.create_task(module.sleeper(5))
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.perf_counter() - start

    assert asyncio.run(cancelled()) < 2
