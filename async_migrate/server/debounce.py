"""Run a document's job after a pause in its changes.

A change reschedules the document's job: the job pending (still waiting, or awaiting its
result) is cancelled, so only the last version of a burst of changes is analysed and no
stale result is published.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Job = Callable[[], Awaitable[None]]


class Debouncer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._pending: dict[str, asyncio.Task[None]] = {}

    def schedule(self, key: str, job: Job, delay: float | None = None) -> None:
        """Run ``job`` for ``key`` after ``delay`` seconds (default :attr:`delay`), instead
        of the job pending for it."""
        self.cancel(key)
        wait = self.delay if delay is None else delay
        self._pending[key] = asyncio.ensure_future(self._later(key, job, wait))

    def cancel(self, key: str) -> None:
        task = self._pending.pop(key, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for key in list(self._pending):
            self.cancel(key)

    async def _later(self, key: str, job: Job, wait: float) -> None:
        try:
            if wait > 0:
                await asyncio.sleep(wait)
            await job()
        finally:
            if self._pending.get(key) is asyncio.current_task():
                del self._pending[key]
