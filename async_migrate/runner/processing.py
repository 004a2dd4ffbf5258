"""The per-file pipeline: read, migrate, diff. Runs in worker processes, so it takes and
returns small picklable values, never syntax trees. It never writes: the main process
does, so that it alone decides, up to the moment it stops, what gets written."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from async_migrate.engine.migrate import (
    Answers,
    InternalError,
    SourceError,
    migrate_source,
    remember,
)
from async_migrate.runner.cache import Fingerprint, fingerprint
from async_migrate.runner.dependencies import added_modules
from async_migrate.runner.diffing import unified_diff
from async_migrate.runner.text import why_not_text
from codemods.core.findings import Finding

#: What the cheap stages said of a file as the project index read it: its SHA-256, the
#: codemods asked about, the answers.
Told = tuple[str, frozenset[str], Answers]


@dataclass(frozen=True)
class Job:
    """What a worker needs to process one file."""

    path: str
    display: str
    codemods: tuple[str, ...]
    #: The main process writes the migrated bytes (the report carries them).
    write: bool
    diff: bool
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Keep the migrated bytes in the report (for interactive review).
    keep: bool = False
    #: Named on the command line: a file that is not text is an error, not skipped.
    explicit: bool = True
    #: What the cheap stages said of the file as the project index read it: taken as it is
    #: while the file is the same.
    told: Told | None = None


@dataclass
class FileReport:
    """What happened to one file."""

    display: str
    changed: bool = False
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    diff: bytes = b""
    #: The file opts out (``# async-migrate: skip-file``).
    skipped: bool = False
    #: Why a file found in a directory was skipped as not text.
    not_text: str | None = None
    #: Third-party modules the migrated code imports and the original did not.
    modules: tuple[str, ...] = ()
    #: With ``Job.write`` or ``Job.keep``: the migrated bytes, and a digest of the bytes
    #: they replace.
    new: bytes | None = None
    digest: str | None = None
    #: Of the file as it was read, for the cache.
    fingerprint: Fingerprint | None = None


def process(job: Job) -> FileReport:
    """Read, migrate, and diff the file ``job`` names."""
    try:
        with open(job.path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as e:
        return FileReport(job.display, error=f"cannot read: {e.strerror or e}")
    content = digest(data)
    report, _ = process_data(data, job, content)
    report.fingerprint = fingerprint(content, st)
    return report


def process_data(data: bytes, job: Job, content: str | None = None) -> tuple[FileReport, bytes]:
    """Migrate ``data`` (whose :func:`digest` is ``content``, when known); the report, and
    the bytes to write (``data`` when unchanged)."""
    report = FileReport(job.display)
    problem = why_not_text(data)
    if problem is not None:
        if job.explicit:
            report.error = f"not a text file: {problem}"
        else:
            report.skipped, report.not_text = True, problem
        return report, data
    content = digest(data) if content is None else content
    if job.told is not None and content == job.told[0]:
        remember(data, job.told[1], job.told[2])
    try:
        result = migrate_source(data, job.codemods, filename=job.display, options=job.options)
    except SourceError as e:
        report.error = str(e)
        return report, data
    except InternalError as e:
        report.error = f"internal error: {e}"
        return report, data
    except Exception as e:  # a bug in a codemod must not stop the run
        report.error = f"internal error: {type(e).__name__}: {' '.join(str(e).split())}"
        return report, data
    report.changed = result.changed
    report.findings = result.findings
    report.skipped = result.skipped
    if result.changed:
        report.modules = tuple(added_modules(data, result.code))
    if result.changed and job.diff:
        report.diff = unified_diff(data, result.code, job.display)
    if result.changed and (job.write or job.keep):
        report.new, report.digest = result.code, content
    return report, result.code


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
