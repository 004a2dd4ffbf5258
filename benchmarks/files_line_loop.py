"""Line loop over a 10,000-line file: migrated code vs the original sync loop.

The ``files`` codemod turns ``for line in f`` into ``for line in io.StringIO(await
f.read())``: one executor hop for the whole file instead of one per line (``async for``
over an aiofiles object). This prints the time of each form and the ratio
migrated / original (target: at most 5x). For comparison it also times ``async for``.

    python benchmarks/files_line_loop.py [LINES] [REPEATS]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import types
from pathlib import Path

from async_migrate import migrate_source
from codemods.files.command import FilesCommand

SOURCE = """
async def count(path):
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            total += len(line)
    return total
"""

ASYNC_FOR = """
import aiofiles


async def count(path):
    total = 0
    async with aiofiles.open(path, encoding="utf-8") as f:
        async for line in f:
            total += len(line)
    return total
"""


def _load(code: bytes | str) -> types.ModuleType:
    module = types.ModuleType("bench")
    exec(compile(code, "bench", "exec"), module.__dict__)
    return module


def _best(module: types.ModuleType, path: str, repeats: int) -> tuple[float, int]:
    """Best time of one ``await count(path)``, all runs inside one event loop."""

    async def runs() -> tuple[float, int]:
        times, result = [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            result = await module.count(path)
            times.append(time.perf_counter() - start)
        return min(times), result

    return asyncio.run(runs())


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    migrated = migrate_source(SOURCE, [FilesCommand])
    assert migrated.changed and not migrated.left, migrated.findings
    original, after, async_for = _load(SOURCE), _load(migrated.code), _load(ASYNC_FOR)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "lines.txt")
        Path(path).write_text("".join(f"line {i} of some log text\n" for i in range(lines)))
        t_original, r_original = _best(original, path, repeats)
        t_migrated, r_migrated = _best(after, path, repeats)
        t_async_for, r_async_for = _best(async_for, path, max(1, repeats // 10))
    assert r_original == r_migrated == r_async_for
    print(migrated.code.decode().strip())
    print()
    print(f"lines: {lines}, best of {repeats} runs (one event loop, loop start-up excluded)")
    print(f"original sync loop:           {t_original * 1000:8.2f} ms")
    print(f"migrated (io.StringIO):       {t_migrated * 1000:8.2f} ms")
    print(f"async for over aiofiles:      {t_async_for * 1000:8.2f} ms")
    print(f"ratio migrated/original:      {t_migrated / t_original:8.2f}x (target <= 5x)")
    print(f"ratio async-for/original:     {t_async_for / t_original:8.2f}x")


if __name__ == "__main__":
    main()
