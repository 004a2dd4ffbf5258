"""A buffer cut into its outermost coroutines and the rest, so that an analysis after a
change migrates only the coroutines that changed.

A coroutine's findings depend on its own text and on the module around it (imports, sync
functions, classes), never on another coroutine's text: that is what lets the engine
migrate a module one slice at a time. So the findings of a coroutine whose text and
surroundings are unchanged are those of the last analysis, moved with it when lines were
added or removed above it. The surroundings are the text outside every outermost
coroutine, each coroutine standing as one line. A finding whose message names a line of
the module (a chain of calls, a ``with`` of line 12) is not moved: when any line moved, its
coroutine is migrated again. The helper the ``concurrency`` codemod adds is part of the
surroundings: the codemod compares it with its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass

from codemods.concurrency.helpers import SOURCES
from codemods.core import parsed
from codemods.core.findings import Finding

_NAMES_A_LINE = re.compile(r"\bline \d+|:\d+:\d+")


@dataclass(frozen=True)
class Coroutine:
    """An outermost coroutine: its ``async def`` line, its last line, a digest of its
    text."""

    first: int
    last: int
    digest: str

    def holds(self, finding: Finding) -> bool:
        return self.first <= finding.line <= self.last


@dataclass(frozen=True)
class Layout:
    """A digest of the surroundings, one of where every line is, and the outermost
    coroutines in order."""

    surroundings: str
    lines: str
    coroutines: tuple[Coroutine, ...]

    def split(
        self, findings: list[Finding]
    ) -> tuple[list[Finding], dict[Coroutine, list[Finding]]]:
        """``findings`` outside every coroutine, and those of each coroutine."""
        outside: list[Finding] = []
        inside: dict[Coroutine, list[Finding]] = {c: [] for c in self.coroutines}
        for finding in findings:
            holder = next((c for c in self.coroutines if c.holds(finding)), None)
            (outside if holder is None else inside[holder]).append(finding)
        return outside, inside


@dataclass(frozen=True)
class Part:
    """The findings of one coroutine, as an analysis found them."""

    first: int
    lines: str
    findings: tuple[Finding, ...]

    def at(self, coroutine: Coroutine, lines: str) -> list[Finding] | None:
        """The findings for ``coroutine`` (the same text) in a layout whose lines are
        ``lines``; None when one of them names a line and lines moved."""
        moved = coroutine.first - self.first
        if not moved and lines == self.lines:
            return list(self.findings)
        if any(_NAMES_A_LINE.search(f.message) for f in self.findings):
            return None
        return [dataclasses.replace(f, line=f.line + moved) for f in self.findings]


def layout(data: bytes) -> Layout | None:
    """The layout of ``data``; None when ``ast`` cannot parse it."""
    tree = parsed.parse(data)
    if tree is None:
        return None
    lines = data.splitlines(keepends=True)
    rest = list(lines)
    coroutines = []
    for node in reversed(parsed.outermost_coroutines(tree)):
        if node.name in SOURCES:
            continue
        first, last = node.lineno, node.end_lineno or node.lineno
        text = b"".join(lines[first - 1 : last])
        coroutines.append(Coroutine(first, last, _digest(text)))
        rest[first - 1 : last] = [b"async def ...\n"]
    coroutines.reverse()
    heights = repr([(c.first, c.last) for c in coroutines]).encode()
    return Layout(_digest(b"".join(rest)), _digest(heights), tuple(coroutines))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
