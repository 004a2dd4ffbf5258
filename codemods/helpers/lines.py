"""The ``helpers`` codemod as text edits of the lines that hold its sites, without libcst
(see :mod:`codemods.core.line_units`): taken when :mod:`codemods.helpers.units` would be
(sites decided by the project index, each running directly in its coroutine, ``asyncio``
free) and every site is a plain statement's call of a dotted name on lines of its own,
its first argument (if any) on the line of its parenthesis. Otherwise the statements
path runs, and after it, when that says no, the command.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import source_lines
from codemods.core.line_units import Rewrite, ToThread, awaited, finished, then_statements, units_of
from codemods.core.sites import (
    LINE,
    asyncio_only_imported,
    calls_in_coroutines,
    holding_statements,
    silenced,
    source_text,
)
from codemods.helpers.analysis import Site, describe
from codemods.helpers.spec import SPEC

_RUFF = SPEC.ruff_codes
_TO_THREAD = ToThread()


def on_lines(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` (the module as the index read it), by text
    edits; None when a site is not of the shapes they take."""
    sites: Sequence[Site] = options.get("sites", ())
    if (
        not sites
        or options.get("helpers_mode", "offload") != "offload"
        or any(options.get(key) for key in ("convert", "awaits", IGNORED_CODES))
    ):
        return None
    source = source_text(data)
    if source is None or not asyncio_only_imported(data):
        return None
    text, tree = source
    lines = LINE.findall(text)
    calls = calls_in_coroutines(tree, source_lines(data), {site.line for site in sites})
    statements = holding_statements(calls.get((site.line, site.col)) for site in sites)
    units = None if statements is None else units_of(statements, lines)
    if units is None:
        return None
    by_statement = {id(unit.statement): unit for unit in units}
    offload = bool(options.get("offload", True))
    findings: list[Finding] = []
    rewrites: dict[int, tuple[ast.Call, Rewrite]] = {}
    for site in sites:
        call = calls[site.line, site.col]
        unit = by_statement[id(call.statement)]
        near = unit.suppression_lines(call.call)
        at, what = (site.line, site.col), describe(site)
        if site.refusal:
            if not silenced("AM653", _RUFF, near, unit):
                message = f"{what}; not offloaded: {site.refusal}"
                findings.append(Finding(*at, "AM653", message, False))
        elif not offload:
            if not silenced("AM652", _RUFF, near, unit):
                message = f"{what}; left as is (offloading is off)"
                findings.append(Finding(*at, "AM652", message, False))
        elif not silenced("AM651", _RUFF, near, unit):
            kept = f" (kept sync in async mode: {site.kept})" if site.kept else ""
            findings.append(Finding(*at, "AM651", f"{what}; offloaded{kept}", True))
            rewrites[id(call.call)] = (call.call, _TO_THREAD)
    if not rewrites:
        return data, findings
    made = awaited(units, rewrites, lines)
    if made is None:
        return None
    code = finished(tree, lines, units, made, filename, ["asyncio"])
    return None if code is None else (code, findings)


#: The codemod's ``edit`` step: these text edits, else its statements path.
edited = then_statements(on_lines, "codemods.helpers.units")
