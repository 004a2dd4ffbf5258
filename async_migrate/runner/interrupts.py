"""Ctrl-C and SIGTERM: stop the run at once, never in the middle of writing a file.

While :func:`handling_signals` is active, SIGINT and SIGTERM raise :class:`Interrupted`
in the main thread, wherever it is (waiting for a worker, walking directories). Code
that must not be cut short, writing one file and counting it, runs inside
:func:`deferred`: a signal arriving there waits, blocked, until the block ends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was stopped by a signal. A BaseException, like KeyboardInterrupt, so
    that no ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report it: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


def _raise(signum: int, frame: FrameType | None) -> None:
    # The first signal decides; more (a second Ctrl-C) must not cut the clean-up short.
    for other in SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def handling_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` until the block ends."""
    previous = {signum: signal.signal(signum, _raise) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends; one that arrived meanwhile is
    handled then. Where signals cannot be blocked (Windows), this does nothing."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_in_worker() -> None:
    """In a worker process: leave SIGINT and SIGTERM to the main process, which stops
    the workers itself; then let signals through again (see :func:`deferred`)."""
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
