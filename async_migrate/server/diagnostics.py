"""Findings as LSP diagnostics.

Every finding becomes one diagnostic with ``source`` ``async-migrate``, the code, and a
link to the code's documentation:

- a pending rewrite: Warning (a quick fix makes it);
- a blocking call left for manual work: Warning (no fix);
- a hint (a suggestion, such as AM406): Information.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import metadata

from lsprotocol import types

from async_migrate.server.positions import position
from async_migrate.server.spans import Spans
from codemods.core.findings import Finding
from codemods.registry import hint_codes

SOURCE = "async-migrate"

#: A code's documentation: its anchor in the codes page of the repository named as
#: ``Homepage`` in pyproject.toml's ``[project.urls]``.
CODE_DOCS = "{homepage}/blob/main/docs/codes.md#{anchor}"

#: Codes that suggest rather than report a blocking call (declared as hints).
HINTS = hint_codes()


@functools.cache
def homepage() -> str:
    """The ``Homepage`` of the installed package's metadata."""
    for entry in metadata.metadata("async-migrate").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "homepage":
            return url.strip().rstrip("/")
    raise LookupError("async-migrate's metadata names no Homepage")


def docs_url(code: str) -> str:
    return CODE_DOCS.format(homepage=homepage(), anchor=code.lower())


def severity(finding: Finding) -> types.DiagnosticSeverity:
    if finding.code in HINTS:
        return types.DiagnosticSeverity.Information
    return types.DiagnosticSeverity.Warning


def diagnostic(
    finding: Finding, lines: Sequence[str], spans: Spans, encoding: str
) -> types.Diagnostic:
    index = min(finding.line - 1, len(lines) - 1)
    start = position(lines, index, finding.col - 1, encoding)
    end_line, end_col = spans.end(finding.line, finding.col)
    end = position(lines, end_line, end_col, encoding)
    if end <= start:
        end = start
    message = finding.message
    if finding.fixed:
        message = f"{message} (fixable)"
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        ),
        message=message,
        severity=severity(finding),
        code=finding.code,
        code_description=types.CodeDescription(href=docs_url(finding.code)),
        source=SOURCE,
        data={
            "line": finding.line,
            "col": finding.col,
            "code": finding.code,
            "fixable": finding.fixed,
        },
    )


def failure(message: str) -> types.Diagnostic:
    """One diagnostic on the first line: the tool could not process this buffer."""
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
        ),
        message=f"async-migrate: {message}",
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )
