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

from functools import partial
from typing import Any

from codemods.core.base import to_thread_call
from codemods.core.findings import Finding
from codemods.core.statements import Batch, Rewrite, finished, silenced
from codemods.helpers import command  # the module: libcst's tool lists a command where it is named
from codemods.helpers.analysis import Site
from codemods.helpers.held_sites import held_sites, site_finding


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` (the module as the index read it) and its
    findings; None when a site does not fit (then run the command)."""
    held = held_sites(data, options)
    batch = None if held is None else Batch.of(held.statements, held.lines)
    if held is None or batch is None:
        return None
    by_statement: dict[int, list[Site]] = {}  # id of the statement -> its sites
    for site in held.sites:
        by_statement.setdefault(id(held.calls[site.line, site.col].statement), []).append(site)
    findings: list[Finding] = []
    targets: dict[int, Rewrite] = {}
    ruff = command.HelpersCommand.RUFF_CODES
    for unit in batch.units:
        calls_here = batch.calls(unit)
        for site in by_statement[id(unit.statement)]:
            node = calls_here.get((site.line, site.col))
            if node is None:
                return None
            near = batch.suppression_lines(unit, node)
            finding, offloaded = site_finding(
                site, held.offload, partial(silenced, ruff_codes=ruff, lines=near, unit=unit)
            )
            if finding is not None:
                findings.append(finding)
            if offloaded:
                targets[id(node)] = to_thread_call
    if not targets:
        return data, findings
    made = batch.awaited(targets)
    if made is None:
        return None
    code = finished(held.tree, held.lines, batch, made, filename, ["asyncio"])
    return None if code is None else (code, findings)
