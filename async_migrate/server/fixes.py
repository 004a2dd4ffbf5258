"""The migration that makes one pending rewrite (a quick fix), and the one that makes them
all (fix all).

One rewrite is made with ``migrate_source(only_at=...)`` listing its site (the module's
other rewrite sites count as silenced by a comment). Some codemods migrate
the calls of a coroutine together (the requests sharing one session, every use of a file
object); alone, such a site is left as it is, or rewritten otherwise (the fallback offloads
a file method when its file is not migrated). Then the fix makes the rewrites of that
coroutine together, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from async_migrate.server.analysis import Analysis, Engine
from async_migrate.server.settings import Resolved
from async_migrate.server.spans import Spans
from codemods.core.findings import Finding
from codemods.core.only_at import OnlyAt


@dataclass(frozen=True)
class Fix:
    new_text: str
    #: The rewrites the fix makes.
    rewrites: tuple[Finding, ...]
    #: The coroutine whose rewrites the fix makes together; None when it makes one alone.
    coroutine: str | None = None


def _made(analysis: Analysis, finding: Finding) -> bool:
    wanted = (finding.line, finding.col, finding.code)
    return analysis.migration is not None and any(
        (f.line, f.col, f.code) == wanted for f in analysis.migration.rewrites
    )


def fix_one(
    engine: Engine, full: Analysis, resolved: Resolved, finding: Finding, spans: Spans
) -> Fix | None:
    """The fix for ``finding`` (a pending rewrite of ``full``), or None if it cannot be made
    apart from the others."""
    if full.migration is None:
        return None
    rewrites = full.migration.rewrites
    site = OnlyAt.of(rewrites, {(finding.line, finding.col)})
    alone = engine.analyse(full.text, resolved, full.path, site)
    if _made(alone, finding) and alone.migration is not None:
        return Fix(alone.new_text, tuple(alone.migration.rewrites))
    coroutine = spans.coroutine(finding.line)
    if coroutine is None:
        return None
    first, last, name = coroutine
    sites = {(f.line, f.col) for f in rewrites if first <= f.line <= last}
    if len(sites) < 2:
        return None
    together = engine.analyse(full.text, resolved, full.path, OnlyAt.of(rewrites, sites))
    if not _made(together, finding) or together.migration is None:
        return None
    return Fix(together.new_text, tuple(together.migration.rewrites), coroutine=name)


def fix_all(full: Analysis) -> Fix | None:
    if full.migration is None or not full.migration.changed:
        return None
    return Fix(full.new_text, tuple(full.migration.rewrites))
