"""Figures for the ``cpu`` codemod: two concurrent calls of a pure-Python function, before
and after migration, and 10 ms heartbeat ticks during one call.

    python benchmarks/cpu_offload.py [seconds-per-call]

Prints the times, the ratio, and the same ratio for two plain worker processes (what the
machine can give at the moment: on a busy machine no pool can beat it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from async_migrate import migrate_source  # noqa: E402
from codemods.cpu.command import CpuCommand  # noqa: E402

SOURCE = """
import asyncio


def crunch(n):  # async-migrate: cpu-bound
    total = 0
    for i in range(n):
        total = (total + i * i) % 1000003
    return total


async def two_at_once(n):
    async def one(k):
        return crunch(k)

    return await asyncio.gather(one(n), one(n + 1))


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
    crunch(n)
    stop = True
    await task
    return ticks
"""


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    migrated = migrate_source(SOURCE, [CpuCommand]).code
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "bench_original.py").write_text(SOURCE)
        Path(directory, "bench_migrated.py").write_bytes(migrated)
        sys.path.insert(0, directory)
        original = importlib.import_module("bench_original")
        after = importlib.import_module("bench_migrated")

        _, elapsed = timed(original.crunch, 200_000)
        n = int(200_000 * seconds / elapsed)
        asyncio.run(after.two_at_once(1000))  # start the pool's workers

        _, sequential = timed(asyncio.run, original.two_at_once(n))
        _, pooled = timed(asyncio.run, after.two_at_once(n))
        with concurrent.futures.ProcessPoolExecutor(2) as pool:
            list(pool.map(original.crunch, [10, 10]))
            _, plain = timed(lambda: list(pool.map(original.crunch, [n, n + 1])))
        print(
            f"two calls of ~{seconds} s: original {sequential:.3f} s, migrated {pooled:.3f} s,"
            f" ratio {pooled / sequential:.2f} (plain processes: {plain / sequential:.2f})"
        )

        inline = asyncio.run(original.with_heartbeat(n))
        offloaded, elapsed = timed(asyncio.run, after.with_heartbeat(n))
        print(
            f"10 ms heartbeat ticks during one call: original {inline}, "
            f"migrated {offloaded} in {elapsed:.2f} s"
        )
        after._PROCESS_POOL.shutdown()


if __name__ == "__main__":
    main()
