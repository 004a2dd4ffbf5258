"""Count what a run did, and choose the summary and the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from async_migrate.runner.processing import FileReport
from codemods.core.findings import Finding
from codemods.registry import hint_codes

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_ERROR = 2


@dataclass
class Report:
    check: bool = False
    dry_run: bool = False
    files: int = 0
    changed: int = 0
    rewrites: int = 0
    left: int = 0
    #: Suggestions (codes declared ``Severity.HINT``): printed like findings, but they
    #: are not work left, so ``--check`` does not fail on them.
    hints: int = 0
    errors: int = 0
    skipped: int = 0
    #: Interactive review: files whose changes were declined.
    declined: int = 0
    #: The hint codes (less those selected by code or prefix, which count as
    #: findings).
    hint_codes: frozenset[str] = field(default_factory=hint_codes)
    #: Files this run has written.
    written: int = 0
    #: Third-party modules the changes import that the originals did not -> the files.
    imported: dict[str, list[str]] = field(default_factory=dict)

    def add(self, file: FileReport) -> None:
        self.files += 1
        if file.error is not None:
            self.errors += 1
            return
        self.skipped += file.skipped
        self.changed += file.changed
        for finding in file.findings:
            if finding.fixed:
                self.rewrites += 1
            elif finding.code in self.hint_codes:
                self.hints += 1
            else:
                self.left += 1
        if file.changed:
            for module in file.modules:
                self.imported.setdefault(module, []).append(file.display)

    def missing(self) -> None:
        self.errors += 1

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        if self.check and (self.changed or self.left):
            return EXIT_CHANGES
        return EXIT_OK

    def summary(self) -> str:
        verb = "would change" if (self.check or self.dry_run) else "changed"
        extra = f", {self.skipped} skipped" if self.skipped else ""
        if self.declined:
            extra += f", {self.declined} declined"
        return (
            f"async-migrate: {_plural(self.files, 'file')} scanned{extra}, {self.changed} {verb}, "
            f"{_plural(self.rewrites, 'rewrite')}, "
            f"{_plural(self.left, 'finding')} left for manual work, "
            + (f"{_plural(self.hints, 'hint')}, " if self.hints else "")
            + f"{_plural(self.errors, 'error')}"
        )


def format_finding(display: str, finding: Finding) -> str:
    """``path:line:col: CODE message``, the form editors and CI parse."""
    return f"{display}:{finding.line}:{finding.col}: {finding.code} {finding.message}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
