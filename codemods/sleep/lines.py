"""The ``sleep`` codemod as text edits of the lines that hold its calls, without libcst
(see :mod:`codemods.core.line_units`): taken when :mod:`codemods.sleep.units` would be
(``time.sleep`` spelled one way, bound by plain ``import time`` lines only, every call
running directly in its coroutine) and every call is a plain statement's
``time.sleep(x)`` on lines of its own. Otherwise the statements path runs, and after it,
when that says no, the command.
"""

from __future__ import annotations

import ast
from typing import Any

from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import source_lines
from codemods.core.line_units import (
    Renamed,
    Rewrite,
    awaited,
    callee_is,
    finished,
    then_statements,
    units_of,
)
from codemods.core.sites import (
    LINE,
    asyncio_only_imported,
    calls_in_coroutines,
    holding_statements,
    silenced,
    source_text,
)
from codemods.sleep.spec import SPEC
from codemods.sleep.spelling import spelled_in_coroutines, time_only_imported, unsupported_arguments

_RUFF = SPEC.ruff_codes
_SLEEP = Renamed("time.sleep", "asyncio.sleep")


def on_lines(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data``, by text edits; None when a call or an import
    is not of the shapes they take."""
    if options.get(IGNORED_CODES):
        return None
    source = source_text(data)
    if source is None or not asyncio_only_imported(data):
        return None
    text, tree = source
    if not time_only_imported(tree, data):
        return None
    spelled = spelled_in_coroutines(tree)
    if not spelled:
        return None
    lines = LINE.findall(text)
    calls = calls_in_coroutines(tree, source_lines(data), {n.lineno for n in spelled.values()})
    by_callee = {id(c.call.func): c for c in calls.values()}
    sites = [by_callee.get(id(node)) for node in spelled.values()]
    statements = holding_statements(sites)
    units = None if statements is None else units_of(statements, lines)
    if units is None:
        return None
    by_statement = {id(unit.statement): unit for unit in units}
    findings: list[Finding] = []
    renames: dict[int, tuple[ast.Call, Rewrite]] = {}
    for (line, col), site in sorted(calls.items()):
        if id(site.call.func) not in spelled:
            continue
        if not callee_is(site.call, "time.sleep", lines):
            return None  # libcst sees the calls otherwise (a parenthesised callee)
        unit = by_statement[id(site.statement)]
        near = unit.suppression_lines(site.call)
        reason = unsupported_arguments(site.call)
        if reason:
            if not silenced("AM103", _RUFF, near, unit):
                message = f"time.sleep with {reason}; rewrite it by hand"
                findings.append(Finding(line, col, "AM103", message, False))
        elif not silenced("AM101", _RUFF, near, unit):
            findings.append(Finding(line, col, "AM101", "time.sleep -> await asyncio.sleep", True))
            renames[id(site.call)] = (site.call, _SLEEP)
    if not renames:
        return data, findings
    made = awaited(units, renames, lines)
    if made is None:
        return None
    gone = frozenset(id(call.func.value) for call, _ in renames.values())  # type: ignore[attr-defined]
    code = finished(tree, lines, units, made, filename, ["asyncio"], [("time", None, None)], gone)
    return None if code is None else (code, findings)


#: The codemod's ``edit`` step: these text edits, else its statements path.
edited = then_statements(on_lines, "codemods.sleep.units")
