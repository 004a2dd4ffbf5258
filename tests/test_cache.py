"""The cache of per-file results, through the real command."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import command_path, run_cli

BLOCKING = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"
REFERENCE = b"import time\n\n\nasync def f(loop):\n    loop.call_soon(time.sleep, 1)\n"


def _cached_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {"ASYNC_MIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    return run_cli(*args, cwd=tmp_path / "tree", extra_env=env)


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("cache-*.json"))


def _setup(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_bytes(BLOCKING)
    (tree / "b.py").write_bytes(REFERENCE)
    return tree


def test_second_check_gives_the_same_answer_from_the_cache(tmp_path: Path) -> None:
    _setup(tmp_path)
    first = _cached_run(tmp_path, "--check", ".")
    second = _cached_run(tmp_path, "--check", ".")
    assert first.returncode == second.returncode == 1
    assert first.stderr == second.stderr
    assert b"b.py:5:20: AM102" in second.stderr and b"1 would change" in second.stderr
    (cache,) = _cache_files(tmp_path)
    assert len(json.loads(cache.read_text())) == 2


def test_a_hit_does_not_read_the_file(tmp_path: Path) -> None:
    # The cache trusts size and modification time, like black's and ruff's: new
    # content of the same size under the old time is not read again. (This shows
    # the cache is used; the next tests show it notices real edits.)
    tree = _setup(tmp_path)
    _cached_run(tmp_path, "--check", ".")
    path = tree / "b.py"
    st = path.stat()
    path.write_bytes(REFERENCE.replace(b"time.sleep,", b"time.sleeq,"))  # no finding now
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    stale = _cached_run(tmp_path, "--check", ".")
    assert b"b.py:5:20: AM102" in stale.stderr
    uncached = run_cli("--check", "--no-cache", ".", cwd=tree)
    assert b"AM102" not in uncached.stderr


def test_edits_and_touches_are_noticed(tmp_path: Path) -> None:
    tree = _setup(tmp_path)
    assert _cached_run(tmp_path, "--check", ".").returncode == 1
    os.utime(tree / "b.py")  # new time, same content: the content hash decides
    (tree / "a.py").write_bytes(b"import asyncio\n\n\nasync def poll():\n    pass\n")
    (tree / "b.py").write_bytes(b"async def f():\n    pass\n")
    after = _cached_run(tmp_path, "--check", ".")
    assert after.returncode == 0, after.stderr
    assert b"0 would change" in after.stderr


def test_in_place_run_after_a_check_still_writes(tmp_path: Path) -> None:
    tree = _setup(tmp_path)
    _cached_run(tmp_path, "--check", ".")
    assert _cached_run(tmp_path, ".").returncode == 0
    assert b"await asyncio.sleep(1)" in (tree / "a.py").read_bytes()
    again = _cached_run(tmp_path, "--check", ".")
    assert b"0 would change" in again.stderr


def test_no_cache_writes_no_cache(tmp_path: Path) -> None:
    _setup(tmp_path)
    _cached_run(tmp_path, "--check", "--no-cache", ".")
    assert not (tmp_path / "cache").exists()


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    _setup(tmp_path)
    _cached_run(tmp_path, "--check", ".")
    (cache,) = _cache_files(tmp_path)
    cache.write_text('{"truncated": [1, 2')
    result = _cached_run(tmp_path, "--check", ".")
    assert result.returncode == 1 and b"1 would change" in result.stderr
    json.loads(cache.read_text())  # rewritten whole


@pytest.mark.slow
def test_concurrent_runs_leave_a_valid_cache(tmp_path: Path) -> None:
    tree = _setup(tmp_path)
    for i in range(30):
        (tree / f"m{i}.py").write_bytes(BLOCKING)
    env = dict(os.environ, ASYNC_MIGRATE_CACHE_DIR=str(tmp_path / "cache"))
    runs = [
        subprocess.Popen(
            [command_path(), "--check", "."], cwd=tree, env=env, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 1, err
    (cache,) = _cache_files(tmp_path)
    assert len(json.loads(cache.read_text())) == 32
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_a_second_diff_comes_from_the_cache(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "src").mkdir(parents=True)
    path = tree / "src" / "a.py"
    path.write_bytes(BLOCKING)
    first = _cached_run(tmp_path, "--diff", "src")
    assert first.returncode == 0 and first.stdout.startswith(b"--- a/src/a.py\n+++ b/src/a.py\n")
    # Same size, same time, other content: only a cache hit still shows the first diff.
    st = path.stat()
    path.write_bytes(BLOCKING.replace(b"sleep(1)", b"sleep(2)"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = _cached_run(tmp_path, "--diff", "src")
    assert second.stdout == first.stdout
    assert second.stderr == first.stderr
    # The header names the file as this run's command line does.
    env = {"ASYNC_MIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    inside = run_cli("--diff", "a.py", cwd=tree / "src", extra_env=env)
    assert inside.stdout == first.stdout.replace(b"a/src/a.py", b"a/a.py").replace(
        b"b/src/a.py", b"b/a.py"
    )
    # A run that writes still makes the new code afresh.
    assert _cached_run(tmp_path, ".").returncode == 0
    assert b"await asyncio.sleep(2)" in path.read_bytes()
