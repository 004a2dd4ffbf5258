"""Process files in parallel worker processes, results in input order.

:func:`processed` hands out the files in small chunks, two at a time per worker so
that none waits for work, and yields the reports in the order of the jobs. Leaving
its block stops every worker: at once (SIGKILL) when the block is left by an
exception (an interrupted run), after they finish otherwise. A worker that dies
(a crash in a native library, the out-of-memory killer) turns the files it held into
errors and is replaced; the run goes on. :class:`Mapper` does the same for any
function, over several batches of items, with workers started once a batch is big
enough to pay for them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any, Generic, TypeVar

from async_migrate.runner.interrupts import deferred
from async_migrate.runner.processing import FileReport, Job, process
from async_migrate.runner.worker import serve

#: Chunks a worker holds at once: one it works on, one waiting.
_IN_FLIGHT = 2
_JOIN_TIMEOUT = 1.0

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def processed(
    jobs: Sequence[Job], workers: int, costly: Sequence[int] = ()
) -> Iterator[Iterator[FileReport]]:
    """One report per job, in the order of ``jobs``; ``workers`` processes (one: in
    this process) do the work. ``costly``: the indexes of the jobs likely to cost the most,
    the costliest first; they are handed out first, one at a time, so that no worker is
    still busy with one of them at the end while the others wait."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        yield map(process, jobs)
        return
    pool = _Pool(process, _died)
    try:
        pool.start(workers)
        yield pool.run(jobs, _chunksize(len(jobs), workers), costly)
        pool.close()
    finally:
        pool.kill()


def _chunksize(items: int, workers: int) -> int:
    # Small chunks: a few files reach libcst and cost seconds each while the rest cost
    # microseconds, so big chunks would leave one worker with the expensive files.
    return max(1, min(16, items // (workers * 32)))


def _chunks(
    count: int, chunksize: int, first: Sequence[int]
) -> tuple[list[tuple[int, int]], list[int]]:
    """The chunks of ``count`` items (start, end), in order, each of the items ``first``
    alone, the others in runs of at most ``chunksize``; and the starts in the order the
    chunks are handed out: those of ``first`` in its order, then the others."""
    alone = set(first)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < count:
        end = start + 1
        if start not in alone:
            while end < count and end - start < chunksize and end not in alone:
                end += 1
        bounds.append((start, end))
        start = end
    return bounds, [*first, *(start for start, _ in bounds if start not in alone)]


def _died(job: Job, how: str) -> FileReport:
    return FileReport(job.display, error=f"worker process died ({how})")


class Mapper(Generic[T, R]):
    """``work`` over batches of items, in ``workers`` processes (started at the first
    batch of at least ``least`` items; smaller batches before that, single items, and
    every batch with one worker are done in this process). ``failed`` gives an item's
    result when the worker holding it died. Leaving its block stops the workers, as
    :func:`processed` does."""

    def __init__(
        self,
        workers: int,
        work: Callable[[T], R],
        failed: Callable[[T, str], R],
        least: int = 1,
    ) -> None:
        self._workers = workers
        self._work = work
        self._least = max(least, 2)
        self._pool: _Pool | None = None
        self._failed = failed

    def map(self, items: Sequence[T]) -> list[R]:
        """The results, in the order of ``items``."""
        least = self._least if self._pool is None else 2  # once started, workers are cheap
        if self._workers == 1 or len(items) < least:
            return [self._work(item) for item in items]
        if self._pool is None:
            self._pool = _Pool(self._work, self._failed)
            self._pool.start(self._workers)
        return list(self._pool.run(items, _chunksize(len(items), self._workers)))

    def __enter__(self) -> Mapper[T, R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is None:
            return
        try:
            if kind is None:
                self._pool.close()
        finally:
            self._pool.kill()
            self._pool = None


class _Worker:
    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        #: Starts of the chunks sent and not answered yet, in the order sent.
        self.chunks: deque[int] = deque()


class _Pool:
    def __init__(self, work: Callable[[Any], Any], failed: Callable[[Any, str], Any]) -> None:
        self._work = work
        self._failed = failed
        # fork where it is safe (Linux): the workers start at once with everything
        # imported; spawn elsewhere.
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._context = multiprocessing.get_context(method)
        self._workers: list[_Worker] = []

    def start(self, size: int) -> None:
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        # Signals wait until the worker has started ignoring them (it inherits the
        # blocked mask) and is on the list of workers to stop.
        with deferred():
            process = self._context.Process(
                target=serve,
                args=(os.getpid(), theirs, self._work),
                name="async-migrate worker",
                daemon=True,
            )
            process.start()
            self._workers.append(_Worker(process, ours))
        theirs.close()

    def run(self, jobs: Sequence[Any], chunksize: int, first: Sequence[int] = ()) -> Iterator[Any]:
        """The results, in the order of ``jobs``; the items ``first`` are handed out
        first, each alone."""
        bounds, order = _chunks(len(jobs), chunksize, first)
        chunks = {start: list(jobs[start:end]) for start, end in bounds}
        waiting = deque(order)
        done: dict[int, list[Any]] = {}
        for start, _ in bounds:
            while start not in done:
                self._hand_out(waiting, chunks, done)
                if start not in done:
                    self._collect(chunks, done)
            yield from done.pop(start)

    def _hand_out(
        self, waiting: deque[int], chunks: dict[int, list[Any]], done: dict[int, list[Any]]
    ) -> None:
        # One more chunk to each worker in turn: the first chunks (the costliest) go to
        # different workers.
        for held in range(1, _IN_FLIGHT + 1):
            for worker in list(self._workers):
                while waiting and len(worker.chunks) < held:
                    start = waiting.popleft()
                    try:
                        worker.connection.send((start, chunks[start]))
                    except OSError:  # it died
                        waiting.appendleft(start)
                        self._replace(worker, chunks, done)
                        break
                    worker.chunks.append(start)

    def _collect(self, chunks: dict[int, list[Any]], done: dict[int, list[Any]]) -> None:
        busy = {worker.connection: worker for worker in self._workers if worker.chunks}
        if not busy:
            return
        for connection in wait(list(busy)):
            worker = busy[connection]  # type: ignore[index]
            try:
                start, reports = worker.connection.recv()
            except (EOFError, OSError):
                self._replace(worker, chunks, done)
                continue
            worker.chunks.remove(start)
            done[start] = reports

    def _replace(
        self, worker: _Worker, chunks: dict[int, list[Any]], done: dict[int, list[Any]]
    ) -> None:
        """A worker died: its items fail, and another takes its place."""
        worker.process.join(_JOIN_TIMEOUT)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        for start in worker.chunks:
            done[start] = [self._failed(item, how) for item in chunks[start]]
        worker.connection.close()
        self._workers.remove(worker)
        self._start()

    def close(self) -> None:
        """Let the workers finish and exit."""
        for worker in self._workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(_JOIN_TIMEOUT)

    def kill(self) -> None:
        """Stop every worker still running, at once, and reap it."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.kill()
        for worker in self._workers:
            worker.process.join(_JOIN_TIMEOUT)
            worker.connection.close()
        self._workers = []
