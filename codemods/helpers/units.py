"""The ``helpers`` codemod on the statements that hold its sites, without libcst on the
rest of the module (see :mod:`codemods.core.statements`).

Its sites come from the project index with their positions, and whether each is offloaded
or reported is decided there (the chain, a refusal). What is left to decide at the call
is read from the ``ast`` tree: that the call runs directly in its coroutine (not in a
generator expression, a lambda, an annotation or a ``with`` block that may hold a thread
lock), that it is not awaited, that ``asyncio`` is bound only by a plain import at the top
of the module (or nowhere), and whether a comment silences it. libcst then parses the
statements holding a site, rewrites the calls with the command's own functions and prints
each statement in place of its lines; the new ``import asyncio`` is added by the same
import passes as the command's, on the module's first statements only.

Whenever a site does not fit, :func:`edited` says None and the engine runs the command as
usual. The fixture tests run every fixture both ways and compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codemods.core.base import to_thread_call
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import source_lines
from codemods.core.statements import (
    LINE,
    Batch,
    Rewrite,
    asyncio_only_imported,
    calls_in_coroutines,
    finished,
    holding_statements,
    silenced,
    source_text,
)
from codemods.helpers import command  # the module: libcst's tool lists a command where it is named
from codemods.helpers.analysis import Site, describe


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` (the module as the index read it) and its
    findings; None when a site does not fit (then run the command)."""
    sites: Sequence[Site] = options.get("sites", ())
    if (
        not sites
        or options.get("helpers_mode", "offload") != "offload"
        or any(options.get(key) for key in ("convert", "awaits", IGNORED_CODES))
    ):
        return None
    source = source_text(data)
    if source is None or not asyncio_only_imported(data):
        return None  # the command asks the scope analysis, and may refuse (AM654)
    text, tree = source
    lines = LINE.findall(text)
    calls = calls_in_coroutines(tree, source_lines(data), {site.line for site in sites})
    statements = holding_statements(calls.get((site.line, site.col)) for site in sites)
    batch = None if statements is None else Batch.of(statements, lines)
    if batch is None:
        return None
    held: dict[int, list[Site]] = {}  # id of the statement -> its sites
    for site in sites:
        held.setdefault(id(calls[site.line, site.col].statement), []).append(site)
    offload = bool(options.get("offload", True))
    findings: list[Finding] = []
    targets: dict[int, Rewrite] = {}
    ruff = command.HelpersCommand.RUFF_CODES
    for unit in batch.units:
        calls_here = batch.calls(unit)
        for site in held[id(unit.statement)]:
            node = calls_here.get((site.line, site.col))
            if node is None:
                return None
            near = batch.suppression_lines(unit, node)
            at, what = (site.line, site.col), describe(site)
            if site.refusal:
                if not silenced("AM653", ruff, near, unit):
                    message = f"{what}; not offloaded: {site.refusal}"
                    findings.append(Finding(*at, "AM653", message, False))
            elif not offload:
                if not silenced("AM652", ruff, near, unit):
                    message = f"{what}; left as is (offloading is off)"
                    findings.append(Finding(*at, "AM652", message, False))
            elif not silenced("AM651", ruff, near, unit):
                kept = f" (kept sync in async mode: {site.kept})" if site.kept else ""
                findings.append(Finding(*at, "AM651", f"{what}; offloaded{kept}", True))
                targets[id(node)] = to_thread_call
    if not targets:
        return data, findings
    made = batch.awaited(targets)
    if made is None:
        return None
    code = finished(tree, lines, batch, made, filename, ["asyncio"])
    return None if code is None else (code, findings)
