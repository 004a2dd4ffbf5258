"""One run over the command-line paths or standard input, once options are settled."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from async_migrate.concurrency import run_jobs
from async_migrate.discovery import Excludes, Missing, discover
from async_migrate.interactive import Review
from async_migrate.output import Output
from async_migrate.processing import Job, process_data
from async_migrate.progress import Progress, wanted
from async_migrate.report import Report


@dataclass
class Settings:
    codemods: tuple[str, ...]
    excludes: Excludes = field(default_factory=Excludes)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    diff: bool = False
    check: bool = False
    interactive: bool = False
    workers: int = 1


def run_paths(paths: list[str], settings: Settings, output: Output, report: Report) -> None:
    jobs = []
    for found in discover(paths, settings.excludes):
        if isinstance(found, Missing):
            report.missing()
            output.error(found.display, found.reason)
            continue
        jobs.append(
            Job(
                path=found.path,
                display=found.display,
                codemods=settings.codemods,
                write=not (settings.diff or settings.check or settings.interactive),
                diff=settings.diff or settings.interactive,
                options=settings.options,
                keep=settings.interactive,
            )
        )
    show = not settings.interactive and not output.quiet and wanted(output.stderr, len(jobs))
    progress = Progress(len(jobs), output.stderr, enabled=show)
    output.before_print = progress.clear
    review = Review(sys.stdin, output.stdout) if settings.interactive else None
    for job, file in zip(jobs, run_jobs(jobs, settings.workers), strict=True):
        progress.advance()
        if review is not None:
            review.decide(file, job.path, output, report)
            continue
        report.add(file)
        output.file(file)
        output.diff(file.diff)
    progress.clear()
    output.before_print = None


def run_stdin(display: str, settings: Settings, output: Output, report: Report) -> None:
    data = sys.stdin.buffer.read()
    job = Job(
        path="-",
        display=display,
        codemods=settings.codemods,
        write=False,
        diff=settings.diff,
        options=settings.options,
    )
    file, new = process_data(data, job)
    report.add(file)
    output.file(file)
    if settings.diff:
        output.diff(file.diff)
    elif not settings.check:
        # On error ``new`` is the input itself: an editor replacing its buffer keeps it.
        output.stdout.write(new)
        output.stdout.flush()
