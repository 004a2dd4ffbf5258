"""Files written together or not at all: those of an async-mode plan of the ``helpers``
codemod, where a call awaited in one file needs the helper made ``async def`` in another.

Their reports are held back until every file of the run has been processed; if one of
them could not be migrated, or changed on disk since it was read, none of them is
written, and each says why."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

from async_migrate.runner.processing import FileReport, Job, digest


class Together:
    """Holds the reports of the files of a plan (by real path) until the run ends."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._paths = frozenset(os.path.realpath(p) for p in paths)
        self._held: list[tuple[Job, FileReport]] = []

    def holds(self, job: Job, file: FileReport) -> bool:
        """Keep ``file``'s report (True) when it belongs to the plan and is to be written."""
        if not job.write or os.path.realpath(job.path) not in self._paths:
            return False
        self._held.append((job, file))
        return True

    def release(self) -> list[tuple[Job, FileReport]]:
        """The held reports, in order: each to be written, or, when a file of the plan
        failed, each with an error saying which (nothing of the plan is written)."""
        held, self._held = self._held, []
        failed = [file.display for _, file in held if file.error is not None]
        failed += [file.display for job, file in held if file.error is None and _stale(job, file)]
        if not failed:
            return held
        why = f"not written: helpers-mode async changes it together with {', '.join(failed)}"
        return [
            (job, file if file.error is not None else replace(file, new=None, error=why))
            for job, file in held
        ]


def _stale(job: Job, file: FileReport) -> bool:
    """Whether the file changed on disk since it was read (it would not be written)."""
    if file.new is None or file.digest is None:
        return False
    try:
        with open(job.path, "rb") as handle:
            return digest(handle.read()) != file.digest
    except OSError:
        return True
