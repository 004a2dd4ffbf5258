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


def sync_cli() -> None:
    time.sleep(1)  # sync code is never touched


async def main() -> None:
    print(await asyncio.gather(poll_backend(3), heartbeat()))


if __name__ == "__main__":
    asyncio.run(main())
