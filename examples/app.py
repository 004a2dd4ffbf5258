"""A small asyncio service whose handlers still block the event loop.

Run `async-migrate --diff examples/` to see what the tool changes.
"""

import asyncio
import time
from time import sleep as pause


async def poll_backend(attempts: int) -> int:
    for attempt in range(attempts):
        time.sleep(0.1)  # back off between attempts: blocks every other task
    return attempts


async def heartbeat() -> str:
    pause(0.5)
    return "alive"


async def schedule(loop: asyncio.AbstractEventLoop) -> None:
    # A reference, not a call: reported for manual work, not rewritten.
    loop.call_soon(time.sleep, 1)


def checksum(data: bytes, rounds: int = 1) -> int:  # async-migrate: cpu-bound
    total = 0
    for _ in range(rounds):
        for byte in data:
            total = (total * 31 + byte) % 1_000_003
    return total


async def handle_upload(data: bytes) -> dict[str, int]:
    # Pure-Python work: stalls every other task unless it runs in a process pool.
    digest = checksum(data, rounds=3)
    return {"size": len(data), "checksum": digest}


def sync_cli() -> None:
    time.sleep(1)  # sync code is never touched


async def main() -> None:
    print(await asyncio.gather(poll_backend(3), heartbeat(), handle_upload(b"x" * 100_000)))


if __name__ == "__main__":
    asyncio.run(main())
