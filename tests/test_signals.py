"""Signals: Ctrl-C (SIGINT, to the process or to its whole process group) and SIGTERM
stop a run at once, with a one-line message and exit 130 / 143; a run whose main
process is killed (SIGKILL) leaves no worker behind. In every case each file is
either as it was or fully migrated, and nothing is written once the signal is in."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from async_migrate import migrate_source
from tests.conftest import command_path

# Three shapes of file, each through libcst (so that a run takes a while): the
# requests and files codemods, and the sleep codemod.
SOURCES = (
    b"import requests\n\n\nasync def fetch(url):\n    return requests.get(url, timeout=5).text\n",
    b"async def read(path):\n    with open(path) as handle:\n        return handle.read()\n",
    b"import time\n\n\nasync def poll():\n    time.sleep(0.5)\n    return 1\n",
)
COUNT = 400
STOP_WITHIN = 3.0  # seconds; the aim is well under one, the machine may be busy
MESSAGE = re.compile(r"async-migrate: interrupted; (\d+) files? written")


@pytest.fixture(scope="module")
def migrated() -> dict[bytes, bytes]:
    """Each source, and what a full migration makes of it."""
    return {source: migrate_source(source).code for source in SOURCES}


def _tree(root: Path, count: int = COUNT) -> list[Path]:
    paths = []
    for i in range(count):
        path = root / f"pkg{i // 50}" / f"m{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SOURCES[i % len(SOURCES)])
        paths.append(path)
    return paths


def _migrated_files(paths: list[Path], migrated: dict[bytes, bytes]) -> list[Path]:
    """The files migrated so far; a file neither original nor migrated fails the test."""
    done = []
    for i, path in enumerate(paths):
        data, source = path.read_bytes(), SOURCES[i % len(SOURCES)]
        if data == migrated[source]:
            done.append(path)
        else:
            assert data == source, f"{path} is neither original nor migrated: {data!r}"
    return done


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat from the state on (state, ppid, pgrp, ...), or None."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _alive(pid: int, started: str | None = None) -> bool:
    """Running (not a zombie), and the same process (start time) if ``started``."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return started is None or fields[19] == started


def _processes(match: int, field: int) -> dict[int, str]:
    """Live processes whose parent (``field`` 1) or group (``field`` 2) is ``match``,
    with their start times."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and fields[field] == str(match) and _alive(int(entry)):
                found[int(entry)] = fields[19]
    return found


def _start(root: Path, logs: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [command_path(), "--no-cache", "-j", "2", "."],
        cwd=root,
        stdout=(logs / "stdout").open("wb"),
        stderr=(logs / "stderr").open("wb"),
        start_new_session=True,
    )


def _wait_for_first_write(
    process: subprocess.Popen[bytes], paths: list[Path], migrated: dict[bytes, bytes]
) -> dict[int, str]:
    """Wait until some file is migrated; the workers (children) of the process then."""
    deadline = time.monotonic() + 120
    while not _migrated_files(paths, migrated):
        assert process.poll() is None, "the run ended before the signal"
        assert time.monotonic() < deadline, "no file migrated in two minutes"
        time.sleep(0.02)
    workers = _processes(process.pid, 1)
    assert len(workers) == 2, workers  # -j 2
    return workers


def _none_left(pgid: int, workers: dict[int, str], within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        left = set(_processes(pgid, 2)) | {p for p, s in workers.items() if _alive(p, s)}
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"processes left behind: {sorted(left)}"


def _cleanup(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the run's process group (after a failure)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@pytest.mark.timing
@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        (signal.SIGINT, False),
        (signal.SIGINT, True),
        (signal.SIGTERM, False),
        (signal.SIGTERM, True),
    ],
    ids=["SIGINT-process", "SIGINT-group", "SIGTERM-process", "SIGTERM-group"],
)
def test_a_signal_stops_the_run_at_once(
    tmp_path: Path, migrated: dict[bytes, bytes], signum: int, to_group: bool
) -> None:
    root, logs = tmp_path / "tree", tmp_path / "logs"
    logs.mkdir()
    paths = _tree(root)
    process = _start(root, logs)
    try:
        workers = _wait_for_first_write(process, paths, migrated)
        sent = time.time_ns()
        started = time.monotonic()
        (os.killpg if to_group else os.kill)(process.pid, signum)
        code = process.wait(timeout=30)
        stopped = time.monotonic() - started
        assert code == 128 + signum
        assert stopped < STOP_WITHIN, f"stopped {stopped:.2f} s after the signal"
        _none_left(process.pid, workers, within=0.5)
    finally:
        _cleanup(process)
    stderr = (logs / "stderr").read_text()
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and MESSAGE.fullmatch(lines[0]), stderr
    done = _migrated_files(paths, migrated)
    assert 0 < len(done) < COUNT
    assert int(MESSAGE.fullmatch(lines[0]).group(1)) == len(done)  # type: ignore[union-attr]
    # At most the one file being written when the signal came was written after it.
    late = [p for p in done if p.stat().st_mtime_ns > sent]
    assert len(late) <= 1, late
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.timing
def test_workers_exit_when_the_main_process_is_killed(
    tmp_path: Path, migrated: dict[bytes, bytes]
) -> None:
    root, logs = tmp_path / "tree", tmp_path / "logs"
    logs.mkdir()
    paths = _tree(root)
    process = _start(root, logs)
    try:
        workers = _wait_for_first_write(process, paths, migrated)
        os.kill(process.pid, signal.SIGKILL)  # the main process only, not its workers
        assert process.wait(timeout=30) == -signal.SIGKILL
        _none_left(process.pid, workers, within=2.0)
    finally:
        _cleanup(process)
    done = _migrated_files(paths, migrated)
    time.sleep(0.5)
    assert _migrated_files(paths, migrated) == done  # nobody writes any more
    assert 0 < len(done) < COUNT


@pytest.mark.timing
def test_a_worker_that_dies_costs_its_files_only(
    tmp_path: Path, migrated: dict[bytes, bytes]
) -> None:
    root, logs = tmp_path / "tree", tmp_path / "logs"
    logs.mkdir()
    paths = _tree(root, 90)
    process = _start(root, logs)
    try:
        workers = _wait_for_first_write(process, paths, migrated)
        os.kill(min(workers), signal.SIGKILL)  # as the out-of-memory killer would
        assert process.wait(timeout=300) == 2
        _none_left(process.pid, workers, within=0.5)
    finally:
        _cleanup(process)
    lines = (logs / "stderr").read_text().splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert errors and all(
        line.endswith(": error: worker process died (killed by signal 9)") for line in errors
    ), lines
    assert lines[-1].endswith(f"{len(errors)} error{'s' * (len(errors) != 1)}")
    assert len(_migrated_files(paths, migrated)) == 90 - len(errors)
