"""The ``helpers`` codemod as text edits of the lines that hold its sites, without libcst
(see :mod:`codemods.core.line_units`): taken when :mod:`codemods.helpers.units` would be
(sites decided by the project index, each running directly in its coroutine, ``asyncio``
free) and every site is a plain statement's call of a dotted name on lines of its own,
its first argument (if any) on the line of its parenthesis. Otherwise the statements
path runs, and after it, when that says no, the command.
"""

from __future__ import annotations

import ast
from functools import partial
from typing import Any

from codemods.core.findings import Finding
from codemods.core.line_units import Rewrite, ToThread, awaited, finished, then_statements, units_of
from codemods.core.sites import silenced
from codemods.helpers.held_sites import held_sites, site_finding
from codemods.helpers.spec import SPEC

_RUFF = SPEC.ruff_codes
_TO_THREAD = ToThread()


def on_lines(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` (the module as the index read it), by text
    edits; None when a site is not of the shapes they take."""
    held = held_sites(data, options)
    units = None if held is None else units_of(held.statements, held.lines)
    if held is None or units is None:
        return None
    by_statement = {id(unit.statement): unit for unit in units}
    findings: list[Finding] = []
    rewrites: dict[int, tuple[ast.Call, Rewrite]] = {}
    for site in held.sites:
        call = held.calls[site.line, site.col]
        unit = by_statement[id(call.statement)]
        near = unit.suppression_lines(call.call)
        finding, offloaded = site_finding(
            site, held.offload, partial(silenced, ruff_codes=_RUFF, lines=near, unit=unit)
        )
        if finding is not None:
            findings.append(finding)
        if offloaded:
            rewrites[id(call.call)] = (call.call, _TO_THREAD)
    if not rewrites:
        return data, findings
    made = awaited(units, rewrites, held.lines)
    if made is None:
        return None
    code = finished(held.tree, held.lines, units, made, filename, ["asyncio"])
    return None if code is None else (code, findings)


#: The codemod's ``edit`` step: these text edits, else its statements path.
edited = then_statements(on_lines, "codemods.helpers.units")
