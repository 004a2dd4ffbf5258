"""One run over the command-line paths or standard input, once options are settled."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from async_migrate.runner.cache import Cache
from async_migrate.runner.concurrency import run_jobs
from async_migrate.runner.discovery import Excludes, Missing, discover
from async_migrate.runner.interactive import Review
from async_migrate.runner.output import Output
from async_migrate.runner.processing import FileReport, Job, process_data
from async_migrate.runner.progress import Progress, wanted
from async_migrate.runner.report import Report


@dataclass
class Settings:
    codemods: tuple[str, ...]
    excludes: Excludes = field(default_factory=Excludes)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    diff: bool = False
    check: bool = False
    interactive: bool = False
    workers: int = 1
    cache: Cache | None = None


def run_paths(paths: list[str], settings: Settings, output: Output, report: Report) -> None:
    cache = settings.cache
    needs_code = not settings.check or settings.diff or settings.interactive
    # One slot per file in discovery order: a report from the cache, or a job to run.
    slots: list[FileReport | Job] = []
    for found in discover(paths, settings.excludes):
        if isinstance(found, Missing):
            report.missing()
            output.error(found.display, found.reason)
            continue
        cached = cache.lookup(found.path, need_code=needs_code) if cache else None
        if cached is not None:
            changed, findings = cached
            slots.append(FileReport(found.display, changed=changed, findings=findings))
            continue
        slots.append(
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
    jobs = [slot for slot in slots if isinstance(slot, Job)]
    show = not settings.interactive and not output.quiet and wanted(output.stderr, len(jobs))
    progress = Progress(len(jobs), output.stderr, enabled=show)
    output.before_print = progress.clear
    review = Review(sys.stdin, output.stdout) if settings.interactive else None
    results = run_jobs(jobs, settings.workers)
    for slot in slots:
        if isinstance(slot, Job):
            file = next(results)
            progress.advance()
            if cache and file.fingerprint and file.error is None:
                if not (file.changed and (slot.write or review is not None)):
                    cache.remember(slot.path, file.fingerprint, file.changed, file.findings)
        else:
            file = slot
        if review is not None and isinstance(slot, Job):
            review.decide(file, slot.path, output, report)
            continue
        report.add(file)
        output.file(file)
        output.diff(file.diff)
    progress.clear()
    output.before_print = None
    if cache:
        cache.save()


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
