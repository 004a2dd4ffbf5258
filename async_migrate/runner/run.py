"""One run over the command-line paths or standard input, once options are settled."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import Any

from async_migrate.runner.cache import Cache
from async_migrate.runner.concurrency import processed
from async_migrate.runner.declare import settle
from async_migrate.runner.diffing import with_header, without_header
from async_migrate.runner.discovery import Excludes, Missing, discover
from async_migrate.runner.interactive import Review
from async_migrate.runner.interrupts import deferred
from async_migrate.runner.output import Output
from async_migrate.runner.places import real_path
from async_migrate.runner.processing import FileReport, Job, Told, process_data
from async_migrate.runner.progress import Progress, wanted
from async_migrate.runner.project import ProjectSites
from async_migrate.runner.project import build as build_project
from async_migrate.runner.report import Report
from async_migrate.runner.together import Together
from async_migrate.runner.writing import replace_contents
from codemods.core.ignored import is_off

#: The codemod that needs the project index.
HELPERS = "helpers"


@dataclass(frozen=True)
class Settings:
    """What one run does, settled from the command line and the configuration."""

    codemods: tuple[str, ...]
    excludes: Excludes = field(default_factory=Excludes)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    diff: bool = False
    check: bool = False
    interactive: bool = False
    workers: int = 1
    #: Where per-file results and the project index are cached; None: no cache.
    cache_dir: str | None = None
    #: More directories module names are relative to (the configuration's ``src``).
    src: tuple[str, ...] = ()
    #: Add undeclared dependencies to pyproject.toml.
    add_dependencies: bool = False

    def cache_key(self, project_digest: str = "") -> list[Any]:
        """What a cached result depends on besides the file itself: the codemods, their
        options, and what the project's other modules say about this one."""
        return [list(self.codemods), self.options, project_digest]


def _project(paths: list[str], settings: Settings, sources: dict[str, bytes]) -> ProjectSites:
    """The helpers codemod's sites, when it runs (the project index costs a look at
    every project file)."""
    if HELPERS not in settings.codemods:
        return ProjectSites()
    own = settings.options.get(HELPERS, {})
    return build_project(
        paths,
        settings.excludes,
        settings.cache_dir,
        settings.src,
        sources,
        own.get("leave_alone", ()),
        own.get("helpers_mode", "offload"),
        # Async mode makes helpers coroutines (AM655): with that code off, it leaves them.
        convert=not is_off(own, "AM655"),
        workers=settings.workers,
        # The other codemods' options are the same for every file: the index's parse of a
        # file of the run answers the cheap stages for them.
        cheap=(_asked(settings), settings.options),
    )


def _asked(settings: Settings) -> tuple[str, ...]:
    """The codemods the index asks the cheap stages about: all but ``helpers``, whose
    options (its sites) are known only once the whole project is indexed."""
    return tuple(c for c in settings.codemods if c != HELPERS)


def _told(asked: frozenset[str], project: ProjectSites, path: str) -> Told | None:
    """What the index learnt of the file at ``path`` for the worker that migrates it, when
    it asked about the codemods ``asked``."""
    told = project.told.get(real_path(path))
    return None if told is None else (told[0], asked, told[1])


def _options(settings: Settings, project: ProjectSites, path: str) -> dict[str, dict[str, Any]]:
    if HELPERS not in settings.codemods:
        return settings.options
    options = dict(settings.options)
    options[HELPERS] = {**options.get(HELPERS, {}), **project.options(path)}
    return options


def run_paths(paths: list[str], settings: Settings, output: Output, report: Report) -> None:
    """Process every file under ``paths``. Files are written here, in the main process,
    one at a time and each with its count (see :func:`deferred`), so that an
    interrupted run has written whole files only, and knows how many."""
    project = _project(paths, settings, {})
    cache = (
        Cache(settings.cache_dir, settings.cache_key(project.digest))
        if settings.cache_dir
        else None
    )
    write = not (settings.diff or settings.check or settings.interactive)
    need = "code" if write or settings.interactive else "diff" if settings.diff else "findings"
    asked = frozenset(_asked(settings))
    # One slot per file in discovery order: a report from the cache, or a job to run.
    slots: list[FileReport | Job] = []
    for found in discover(paths, settings.excludes):
        if isinstance(found, Missing):
            report.missing()
            output.error(found.display, found.reason)
            continue
        hit = cache.lookup(found.path, need) if cache else None
        if hit is not None:
            diff = with_header(hit.hunks or b"", found.display) if settings.diff else b""
            slots.append(
                FileReport(
                    found.display,
                    changed=hit.changed,
                    findings=hit.findings,
                    diff=diff,
                    modules=hit.modules,
                )
            )
            continue
        slots.append(
            Job(
                path=found.path,
                display=found.display,
                codemods=settings.codemods,
                write=write,
                diff=settings.diff or settings.interactive,
                options=_options(settings, project, found.path),
                keep=settings.interactive,
                explicit=found.explicit,
                told=_told(asked, project, found.path),
            )
        )
    jobs = [slot for slot in slots if isinstance(slot, Job)]
    show = not settings.interactive and not output.quiet and wanted(output.stderr, len(jobs))
    progress = Progress(len(jobs), output.stderr, enabled=show)
    output.before_print = progress.clear
    review = Review(sys.stdin, output.stdout) if settings.interactive else None
    # The files of an async-mode plan are written together or not at all: a call awaited
    # in one file needs the helper made a coroutine in another.
    together = Together(project.planned())
    with processed(jobs, settings.workers, _costly(jobs)) as results:
        for slot in slots:
            if not isinstance(slot, Job):
                report.add(slot)
                output.file(slot)
                output.diff(slot.diff)
                continue
            file = next(results)
            progress.advance()
            if cache and file.fingerprint and file.error is None and file.not_text is None:
                if not (file.changed and (slot.write or review is not None)):
                    hunks = without_header(file.diff, slot.display) if file.diff else None
                    cache.remember(
                        slot.path,
                        file.fingerprint,
                        file.changed,
                        file.findings,
                        hunks=hunks,
                        modules=file.modules,
                    )
            if review is not None:
                review.decide(file, slot.path, output, report)
                continue
            if together.holds(slot, file):
                continue
            file = _written(slot, file, report)
            report.add(file)
            output.file(file)
            output.diff(file.diff)
    for slot, file in together.release():
        file = _written(slot, file, report) if file.error is None else file
        report.add(file)
        output.file(file)
        output.diff(file.diff)
    progress.clear()
    output.before_print = None
    settle(
        paths, output, report, settings.add_dependencies, diff=settings.diff, check=settings.check
    )
    if cache:
        cache.save()


def _costly(jobs: list[Job]) -> list[int]:
    """The indexes of the jobs the project index found work for (a codemod the cheap stages
    keep, a helper's call), the biggest file first: libcst costs seconds on some of them,
    and the others next to nothing."""
    costly = []
    for index, job in enumerate(jobs):
        told = job.told is not None and any(c is None or c for c in job.told[2].values())
        if told or job.options.get(HELPERS, {}).get("sites"):
            try:
                costly.append((-os.stat(job.path).st_size, index))
            except OSError:
                continue
    return [index for _, index in sorted(costly)]


def _written(slot: Job, file: FileReport, report: Report) -> FileReport:
    """``file``, once written if it is to be (with the error if it could not be)."""
    if not (slot.write and file.changed and file.new is not None and file.error is None):
        return file
    with deferred():  # a signal waits until the file is written and counted
        error = replace_contents(slot.path, file.new, file.digest)
        if error is None:
            report.written += 1
    return replace(file, new=None, error=error)


def run_stdin(display: str, settings: Settings, output: Output, report: Report) -> None:
    data = sys.stdin.buffer.read()
    # The buffer stands for the file it names, if any: the project sees it as it is now.
    named = display if display != "-" else os.path.join(os.getcwd(), "<stdin>.py")
    project = _project([named], settings, {named: data})
    job = Job(
        path="-",
        display=display,
        codemods=settings.codemods,
        write=False,
        diff=settings.diff,
        options=_options(settings, project, named),
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
    settle([display], output, report)
