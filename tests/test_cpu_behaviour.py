"""Migrated CPU-bound code runs: equal results, real parallel speed-up in a process pool,
a responsive event loop, threads for what cannot be pickled, under every start method.

The original and the migrated module are written to real files and imported as real
modules, so the pool's workers can import them by name (as ``spawn`` and ``forkserver``
require)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib
import json
import os
import subprocess
import sys
import time
import types
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from async_migrate import migrate_source
from codemods.cpu.command import CpuCommand

SOURCE = """
import asyncio
import gzip
import hashlib
import os
import threading
import zlib


def crunch(n):  # async-migrate: cpu-bound
    total = 0
    for i in range(n):
        total = (total + i * i) % 1000003
    return total


def whoami(tag, suffix=""):  # async-migrate: cpu-bound
    return f"{tag}{suffix}", os.getpid()


def fails(key):  # async-migrate: cpu-bound
    raise KeyError(key)


async def compute(n):
    return crunch(n)


async def two_at_once(n):
    return await asyncio.gather(compute(n), compute(n + 1))


async def identify():
    return whoami("me", suffix="!")


async def failing():
    try:
        fails("missing")
    except KeyError as e:
        return repr(e)


async def with_heartbeat(n):
    ticks = 0
    stop = False

    async def beat():
        nonlocal ticks
        while not stop:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(beat())
    await asyncio.sleep(0)
    result = crunch(n)
    stop = True
    await task
    return result, ticks


async def via_lambda(n):
    square = lambda x: (x * x, threading.current_thread().name)
    return square(n)


async def via_nested(n, k):
    def scaled(x):  # async-migrate: cpu-bound
        return crunch(x) * k, threading.current_thread().name

    return scaled(n)


async def derive(password):
    key = hashlib.pbkdf2_hmac("sha256", password, b"salt", 1000)
    packed = zlib.compress(password * 100, 9)
    return key, zlib.decompress(packed), gzip.decompress(gzip.compress(packed))
"""


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, types.ModuleType]]:
    """The original and the migrated module, imported from real files."""
    directory = tmp_path_factory.mktemp("cpu")
    migrated = migrate_source(
        SOURCE,
        [CpuCommand],
        options={"cpu": {"cpu_bound": ["square"], "offload_compression": True}},
    )
    tag = uuid.uuid4().hex[:8]
    names = {"original": f"cpu_original_{tag}", "migrated": f"cpu_migrated_{tag}"}
    (directory / f"{names['original']}.py").write_text(SOURCE, encoding="utf-8")
    (directory / f"{names['migrated']}.py").write_bytes(migrated.code)
    sys.path.insert(0, str(directory))
    try:
        loaded = {kind: importlib.import_module(name) for kind, name in names.items()}
        loaded["migration"] = migrated  # type: ignore[assignment]
        yield loaded
        pool = loaded["migrated"]._PROCESS_POOL
        if pool is not None:
            pool.shutdown()
    finally:
        sys.path.remove(str(directory))
        for name in names.values():
            sys.modules.pop(name, None)


def _calibrated_n(module: types.ModuleType, seconds: float) -> int:
    """An ``n`` for which ``crunch(n)`` runs about ``seconds`` here."""
    n = 200_000
    start = time.perf_counter()
    module.crunch(n)
    elapsed = max(time.perf_counter() - start, 1e-3)
    return max(n, int(n * seconds / elapsed))


def _timed(coroutine: object) -> tuple[object, float]:
    start = time.perf_counter()
    result = asyncio.run(coroutine)  # type: ignore[arg-type]
    return result, time.perf_counter() - start


def test_migration_rewrites_every_marked_call(modules: dict[str, object]) -> None:
    migration = modules["migration"]
    codes = sorted(f.code for f in migration.findings)  # type: ignore[attr-defined]
    # crunch x2 (compute, with_heartbeat), whoami, fails -> pool; lambda, nested -> thread
    # with a finding each; pbkdf2_hmac, zlib x2, gzip x2 -> thread.
    assert codes.count("AM401") == 4
    assert codes.count("AM403") == 2
    assert codes.count("AM402") == 2 + 5
    assert modules["migrated"]._PROCESS_POOL is None, "the pool must not start at import"


def _machine_parallelism(module: types.ModuleType, n: int) -> float:
    """Time of two ``crunch`` calls in two plain worker processes over two calls in a row.

    Other work on this shared 2-core machine can leave no second core to run on; then no
    pool, migrated or not, can show a speed-up, and this ratio says so.
    """
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        list(pool.map(module.crunch, [10, 10]))
        _, sequential = _timed_call(lambda: [module.crunch(n), module.crunch(n + 1)])
        _, parallel = _timed_call(lambda: list(pool.map(module.crunch, [n, n + 1])))
    return parallel / sequential


def _timed_call(function: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


@pytest.mark.timing
def test_two_calls_run_in_parallel_with_equal_results(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    asyncio.run(migrated.two_at_once(1000))  # start the workers: a one-time cost
    n = _calibrated_n(original, 0.5)

    ratios, control = [], []
    for _ in range(3):  # other processes share the two cores: keep the best of 3 runs
        before, before_time = _timed(original.two_at_once(n))
        after, after_time = _timed(migrated.two_at_once(n))
        assert before == after == [original.crunch(n), original.crunch(n + 1)]
        ratios.append(after_time / before_time)
        print(f"two ~0.5 s calls: sequential {before_time:.3f} s, pool {after_time:.3f} s")
        if ratios[-1] <= 0.75:
            return
        control.append(_machine_parallelism(original, n))
    if min(control) > 0.75:
        pytest.skip(
            f"no second core free: plain processes reached only {min(control):.2f}x "
            f"(migrated {min(ratios):.2f}x)"
        )
    assert min(ratios) <= 0.75, f"migrated {ratios}, plain processes {control}"


@pytest.mark.timing
def test_event_loop_keeps_ticking_during_the_computation(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    asyncio.run(migrated.compute(10))  # warm the pool
    n = _calibrated_n(original, 0.5)

    (before, before_ticks), _ = _timed(original.with_heartbeat(n))
    (after, after_ticks), elapsed = _timed(migrated.with_heartbeat(n))

    assert before == after
    print(f"10 ms heartbeat ticks: inline {before_ticks}, pool {after_ticks} in {elapsed:.2f} s")
    assert before_ticks <= 2  # blocked: one tick once the computation is over
    assert after_ticks >= 20  # ~45 expected in 0.5 s; generous for a noisy machine


def test_marked_function_runs_in_another_process(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    assert asyncio.run(original.identify()) == ("me!", os.getpid())
    tag, pid = asyncio.run(migrated.identify())
    assert tag == "me!" and pid != os.getpid()


def test_worker_exception_comes_back_with_its_type(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    before, after = asyncio.run(original.failing()), asyncio.run(migrated.failing())
    assert before == after == "KeyError('missing')"


def test_unpicklable_callables_run_in_a_thread(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    migrated_source = Path(migrated.__file__).read_text(encoding="utf-8")
    assert "await asyncio.to_thread(square, n)" in migrated_source
    assert "await asyncio.to_thread(scaled, n)" in migrated_source

    assert asyncio.run(original.via_lambda(7)) == (49, "MainThread")
    value, thread = asyncio.run(migrated.via_lambda(7))
    assert value == 49 and thread != "MainThread"

    before, before_thread = asyncio.run(original.via_nested(1000, 3))
    after, after_thread = asyncio.run(migrated.via_nested(1000, 3))
    assert before == after == original.crunch(1000) * 3
    assert before_thread == "MainThread" != after_thread


def test_stdlib_calls_in_threads_give_equal_results(modules: dict[str, object]) -> None:
    original, migrated = modules["original"], modules["migrated"]
    before = asyncio.run(original.derive(b"secret"))
    assert before == asyncio.run(migrated.derive(b"secret"))
    assert before[0] == hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", 1000)
    assert before[1] == zlib.decompress(zlib.compress(b"secret" * 100, 9))


_RUNNER = """
import asyncio, json, multiprocessing, os, sys
multiprocessing.set_start_method(sys.argv[1])
sys.path.insert(0, sys.argv[2])
module = __import__(sys.argv[3])
results = asyncio.run(module.two_at_once(20000))
tag, pid = asyncio.run(module.identify())
print(json.dumps({"results": results, "tag": tag, "other_process": pid != os.getpid(),
                  "method": multiprocessing.get_start_method()}))
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_pool_works_under_every_start_method(
    modules: dict[str, types.ModuleType], method: str
) -> None:
    original, migrated = modules["original"], modules["migrated"]
    directory = str(Path(migrated.__file__).parent)
    run = subprocess.run(
        [sys.executable, "-c", _RUNNER, method, directory, migrated.__name__],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()
    out = json.loads(run.stdout)
    assert out["method"] == method
    assert out["results"] == asyncio.run(original.two_at_once(20000))
    assert out["tag"] == "me!" and out["other_process"]
