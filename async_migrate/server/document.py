"""One version of one open document, analysed: its findings as diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from lsprotocol import types

from async_migrate.server import diagnostics
from async_migrate.server.analysis import Analysis, Engine
from async_migrate.server.positions import lines_of
from async_migrate.server.settings import Resolved
from async_migrate.server.spans import Spans
from codemods.core.findings import Finding


@dataclass
class Snapshot:
    uri: str
    version: int | None
    text: str
    #: The file the document is, if it has one.
    path: str | None
    #: The negotiated position encoding (``utf-16``, ``utf-8``, ``utf-32``).
    encoding: str
    #: None when the document is excluded or the configuration is in error.
    resolved: Resolved | None = None
    analysis: Analysis | None = None
    spans: Spans | None = None
    diagnostics: list[types.Diagnostic] = field(default_factory=list)

    def finding(self, line: int, col: int, code: str) -> Finding | None:
        """The finding of this version at that place with that code, if any."""
        if self.analysis is None:
            return None
        for found in self.analysis.findings:
            if (found.line, found.col, found.code) == (line, col, code):
                return found
        return None


def analyse(snapshot: Snapshot, engine: Engine) -> Snapshot:
    """Fill in the snapshot's analysis and diagnostics (blocks: run it in a worker)."""
    if snapshot.resolved is None:
        return snapshot
    analysis = engine.analyse(snapshot.text, snapshot.resolved, snapshot.path)
    lines = lines_of(snapshot.text)
    spans = Spans(snapshot.text, lines)
    if analysis.failure is not None:
        found = [diagnostics.failure(analysis.failure)]
    else:
        found = [
            diagnostics.diagnostic(f, lines, spans, snapshot.encoding) for f in analysis.findings
        ]
    snapshot.analysis, snapshot.spans, snapshot.diagnostics = analysis, spans, found
    return snapshot
