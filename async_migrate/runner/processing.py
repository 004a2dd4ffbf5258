"""The per-file pipeline: read, migrate, then write or diff. Runs in worker processes,
so it takes and returns small picklable values, never syntax trees."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from async_migrate.engine.migrate import InternalError, SourceError, migrate_source
from async_migrate.runner.cache import Fingerprint, fingerprint
from async_migrate.runner.diffing import unified_diff
from async_migrate.runner.writing import write_atomically
from codemods.core.findings import Finding


@dataclass(frozen=True)
class Job:
    """What a worker needs to process one file."""

    path: str
    display: str
    codemods: tuple[str, ...]
    write: bool
    diff: bool
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Keep the migrated bytes in the report (for interactive review).
    keep: bool = False


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
    #: With ``Job.keep``: the migrated bytes, and a digest of the bytes they replace.
    new: bytes | None = None
    digest: str | None = None
    #: Of the file as it was read, for the cache.
    fingerprint: Fingerprint | None = None


def process(job: Job) -> FileReport:
    """Read, migrate, and write or diff the file ``job`` names."""
    try:
        with open(job.path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as e:
        return FileReport(job.display, error=f"cannot read: {e.strerror or e}")
    report, new = process_data(data, job)
    report.fingerprint = fingerprint(data, st)
    if report.changed and job.write:
        try:
            write_atomically(job.path, new)
        except OSError as e:
            report.error = f"cannot write: {e.strerror or e}"
    return report


def process_data(data: bytes, job: Job) -> tuple[FileReport, bytes]:
    """Migrate ``data``; the report, and the bytes to write (``data`` when unchanged)."""
    report = FileReport(job.display)
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
    if result.changed and job.diff:
        report.diff = unified_diff(data, result.code, job.display)
    if result.changed and job.keep:
        report.new, report.digest = result.code, digest(data)
    return report, result.code


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
