"""Concurrency gained by the requests codemod: N coroutines each making one slow request.

Runs the original coroutine (real ``requests``) and the migrated one against a local
aiohttp.web server whose handler sleeps ``DELAY`` seconds, and prints the wall times.

    python benchmarks/requests_concurrency.py [N ...]
"""

from __future__ import annotations

import asyncio
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from async_migrate import migrate_source  # noqa: E402
from tests.http_server import serve  # noqa: E402

DELAY = 0.2
SOURCE = f'''
import requests


async def fetch(base):
    r = requests.get(base + "/slow", params={{"delay": "{DELAY}"}}, timeout=5)
    r.raise_for_status()
    return r.json()
'''


def _load(code: bytes | str) -> types.ModuleType:
    module = types.ModuleType("bench")
    exec(compile(code, "bench", "exec"), module.__dict__)
    return module


def _timed(module: types.ModuleType, base: str, n: int) -> float:
    async def main() -> None:
        results = await asyncio.gather(*(module.fetch(base) for _ in range(n)))
        assert results == [{"slow": True}] * n

    start = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - start


def main(counts: list[int]) -> None:
    original = _load(SOURCE)
    migrated = _load(migrate_source(SOURCE).code)
    with serve() as base:
        _timed(migrated, base, 1)  # warm-up
        print(f"{'requests':>9} {'before (s)':>11} {'after (s)':>10} {'speed-up':>9}")
        for n in counts:
            before = _timed(original, base, n)
            after = _timed(migrated, base, n)
            print(f"{n:>9} {before:>11.2f} {after:>10.2f} {before / after:>8.1f}x")
    print(f"(each request waits {DELAY} s on the server)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50])
