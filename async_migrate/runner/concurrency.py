"""Process files in parallel worker processes, results in input order."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from async_migrate.runner.processing import FileReport, Job, process


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_jobs(jobs: Sequence[Job], workers: int) -> Iterator[FileReport]:
    """Yield one report per job, in the order of ``jobs``."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        yield from map(process, jobs)
        return
    # Small chunks: a few files reach libcst and cost seconds each while the rest cost
    # microseconds, so big chunks would leave one worker with the expensive files.
    chunksize = max(1, min(16, len(jobs) // (workers * 32)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(process, jobs, chunksize=chunksize)
