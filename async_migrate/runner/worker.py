"""A worker process: do its work on what it is sent (migrate files, index them), and never
outlive the main process.

Workers ignore SIGINT and SIGTERM (a Ctrl-C reaches the whole process group): the
main process decides when the run stops, and kills them. They write nothing, so
killing one at any moment loses nothing but its work in progress. If the main
process dies, even by SIGKILL, they exit at once: on Linux the kernel kills them
(``PR_SET_PDEATHSIG``), and everywhere a thread watching the parent process id
notices within a tenth of a second.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from async_migrate.runner.collector import fewer_collections
from async_migrate.runner.interrupts import ignore_in_worker

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.1


def serve(parent: int, connection: Connection, work: Callable[[Any], Any]) -> None:
    """Answer each ``(start, items)`` received with ``(start, [work(item), ...])``, until
    told to stop (``None``) or the main process is gone."""
    ignore_in_worker()
    die_with(parent)
    with fewer_collections():  # a forked worker has it already; a spawned one not
        while True:
            try:
                message = connection.recv()
                if message is None:
                    return
                start, items = message
                connection.send((start, [work(item) for item in items]))
            except (EOFError, OSError):  # the main process is gone
                return


def die_with(parent: int) -> None:
    """Exit as soon as the process ``parent`` is no longer this one's parent."""
    _parent_death_signal()
    if os.getppid() != parent:  # gone before the signal was asked for
        os._exit(1)
    watcher = threading.Thread(
        target=_watch, args=(parent,), name="async-migrate-parent-watch", daemon=True
    )
    watcher.start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


def _parent_death_signal() -> None:
    """On Linux, ask the kernel to send SIGKILL when the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watching thread still does the job
