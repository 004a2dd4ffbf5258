"""Everything a run prints, in the three output formats.

- ``text``: findings on stderr as ``path:line:col: CODE message``; the diff on stdout.
- ``json``: one JSON list on stdout of every rewrite and every finding left; nothing
  else on stdout (no diff).
- ``github``: GitHub Actions annotations on stdout (the diff too, under ``--diff``).

In every format, file errors (``path: error: message``) and the closing summary go to
stderr; ``--quiet`` drops the summary, ``--verbose`` adds one line per file.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from async_migrate.runner.processing import FileReport
from async_migrate.runner.report import Report, format_finding
from codemods.core.findings import Finding
from codemods.registry import hint_codes

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_CYAN = "\x1b[36m"


def use_color(choice: str, stream: TextIO | BinaryIO) -> bool:
    """``always``, ``never``, or (``auto``) when ``stream`` is a terminal, unless
    ``NO_COLOR`` is set or ``TERM=dumb``; ``FORCE_COLOR`` forces it under ``auto``."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colorize_diff(diff: bytes) -> bytes:
    """The diff with ANSI colours: file headers bold, hunks cyan, removals red,
    additions green."""
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        end = line[len(body) :]
        if line.startswith((b"--- ", b"+++ ")):
            colour = _BOLD
        elif line.startswith(b"@@"):
            colour = _CYAN
        elif line.startswith(b"-"):
            colour = _RED
        elif line.startswith(b"+"):
            colour = _GREEN
        else:
            out.append(line)
            continue
        out.append(colour.encode() + body + _RESET.encode() + end)
    return b"".join(out)


def finding_record(display: str, finding: Finding, applied: bool) -> dict[str, Any]:
    """One element of the JSON list."""
    return {
        "path": display,
        "line": finding.line,
        "col": finding.col,
        "code": finding.code,
        "message": finding.message,
        # A rewrite the tool makes (or would make); false: left for manual work.
        "fixable": finding.fixed,
        # True only for a rewrite written to the file by this run.
        "fixed": finding.fixed and applied,
    }


def github_annotation(display: str, finding: Finding, pending: bool, level: str = "warning") -> str:
    """``::warning file=PATH,line=N,col=M::CODE message`` (``::notice`` for a hint)."""
    message = f"{finding.code} {finding.message}"
    if pending:
        message += " (async-migrate rewrites this)"
    return (
        f"::{level} file={_property(display)},line={finding.line},col={finding.col}"
        f"::{_data(message)}"
    )


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Output:
    """Prints what each file gave, as it comes, and the end of the run."""

    format: str = "text"
    color: str = "auto"
    quiet: bool = False
    verbose: bool = False
    #: Rewrites are not written by this run (``--diff``, ``--check``).
    pending: bool = False
    #: ``--check``: name each file that would change.
    check: bool = False
    #: Codes of hints, less those selected by code or prefix (``::notice`` rather
    #: than ``::warning`` in the ``github`` format; counted apart by ``--verbose``).
    hints: frozenset[str] = field(default_factory=hint_codes)
    stdout: BinaryIO = field(default_factory=lambda: sys.stdout.buffer)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    records: list[dict[str, Any]] = field(default_factory=list)
    #: Called before anything is printed (clears a progress bar).
    before_print: Any = None

    def __post_init__(self) -> None:
        self._diff_color = use_color(self.color, self.stdout)
        self._err_color = use_color(self.color, self.stderr)

    def file(self, file: FileReport, applied: bool | None = None) -> None:
        """Print a file's error, findings, diff and (verbose) status line.

        ``applied``: were the rewrites written (default: unless ``pending``)?
        """
        self._before()
        applied = (not self.pending) if applied is None else applied
        if file.error is not None:
            self.error(file.display, file.error)
            return
        if file.not_text is not None:
            self._err(f"{file.display}: skipped: not a text file ({file.not_text})")
        for finding in file.findings:
            self._finding(file.display, finding, applied)
        if self.check and file.changed and self.format == "text" and not self.quiet:
            self._err(f"would change: {file.display}")
        if self.verbose:
            self._err(_status_line(file, applied, self.hints))

    def _finding(self, display: str, finding: Finding, applied: bool) -> None:
        """A rewrite (listed in ``json``, annotated in ``github`` when pending) or a
        finding left (in every format)."""
        if self.format == "json":
            self.records.append(finding_record(display, finding, applied))
        elif self.format == "github":
            if not finding.fixed or self.pending:
                level = "notice" if finding.code in self.hints else "warning"
                self._out(github_annotation(display, finding, finding.fixed, level))
        elif not finding.fixed:
            self._err(self._finding_line(display, finding))

    def dependency(
        self, display: str, finding: Finding, applied: bool, extra: dict[str, Any]
    ) -> None:
        """An undeclared dependency, missing, added or to be added: in every format,
        whatever ``--quiet`` says."""
        self._before()
        if self.format == "json":
            self.records.append({**finding_record(display, finding, applied), **extra})
        elif self.format == "github":
            level = "notice" if applied else "warning"
            self._out(github_annotation(display, finding, pending=False, level=level))
        else:
            self._err(self._finding_line(display, finding))

    def diff(self, diff: bytes) -> None:
        """Print a diff on stdout (not in the ``json`` format)."""
        if not diff or self.format == "json":
            return
        self._before()
        self.stdout.write(colorize_diff(diff) if self._diff_color else diff)
        self.stdout.flush()

    def error(self, display: str, message: str) -> None:
        self._before()
        self._err(f"{display}: error: {message}")
        if self.format == "github":
            self._out(f"::error file={_property(display)}::{_data(message)}")

    def finish(self, report: Report, searched: list[str] | None = None) -> None:
        """The JSON list (``json``), and the summary unless ``--quiet``; when the
        ``searched`` paths held no file at all, a line saying so instead."""
        self._before()
        if self.format == "json":
            self.stdout.write(json.dumps(self.records, indent=2).encode() + b"\n")
            self.stdout.flush()
        if self.quiet:
            return
        if searched is not None and report.files == 0 and report.errors == 0:
            self._err(f"async-migrate: no Python files found in {', '.join(searched)}")
        else:
            self._err(report.summary())

    def interrupted(self, written: int) -> None:
        """The one line an interrupted run ends with."""
        self._before()
        self._err(f"async-migrate: interrupted; {written} file{'s' * (written != 1)} written")

    def _finding_line(self, display: str, finding: Finding) -> str:
        line = format_finding(display, finding)
        if not self._err_color:
            return line
        where = f"{display}:{finding.line}:{finding.col}:"
        code = f"{_RED}{finding.code}{_RESET}"
        return f"{_BOLD}{where}{_RESET} {code} {finding.message}"

    def _before(self) -> None:
        if self.before_print is not None:
            self.before_print()

    def _out(self, line: str) -> None:
        self.stdout.write(line.encode("utf-8", "surrogateescape") + b"\n")
        self.stdout.flush()

    def _err(self, line: str) -> None:
        print(line, file=self.stderr, flush=True)


def _status_line(file: FileReport, applied: bool, hint_codes: frozenset[str]) -> str:
    if file.not_text is not None:
        return f"{file.display}: skipped (not a text file)"
    if file.skipped:
        return f"{file.display}: skipped (# async-migrate: skip-file)"
    rewrites = sum(f.fixed for f in file.findings)
    hints = sum(not f.fixed and f.code in hint_codes for f in file.findings)
    left = len(file.findings) - rewrites - hints
    if file.changed:
        verb = "changed" if applied else "would change"
        state = f"{verb}, {rewrites} rewrite{'s' * (rewrites != 1)}"
    else:
        state = "unchanged"
    if left:
        state += f", {left} finding{'s' * (left != 1)} left for manual work"
    if hints:
        state += f", {hints} hint{'s' * (hints != 1)}"
    return f"{file.display}: {state}"
