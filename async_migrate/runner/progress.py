"""A one-line progress bar on stderr, for long runs on a terminal only.

Shown only when stderr is a terminal, the ``CI`` environment variable is unset, and
the run covers more than one file; redrawn at most ten times a second and erased
before anything else is printed.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_WIDTH = 30
_INTERVAL = 0.1


def wanted(stream: TextIO, total: int) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI") and total > 1


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self._shown = False
        self._last = 0.0

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < _INTERVAL and self.done < self.total:
            return
        self._last = now
        filled = _WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} files")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
