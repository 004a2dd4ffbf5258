"""The ``sleep`` codemod as text edits of the lines that hold its calls, without libcst
(see :mod:`codemods.core.line_units`): taken when :mod:`codemods.sleep.units` would be
(``time.sleep`` spelled one way, bound by plain ``import time`` lines only, every call
running directly in its coroutine) and every call is a plain statement's
``time.sleep(x)`` on lines of its own. Otherwise the statements path runs, and after it,
when that says no, the command.
"""

from __future__ import annotations

import ast
from functools import partial
from typing import Any

from codemods.core.findings import Finding
from codemods.core.line_units import (
    Renamed,
    Rewrite,
    awaited,
    callee_is,
    finished,
    then_statements,
    units_of,
)
from codemods.core.sites import silenced
from codemods.sleep.spec import SPEC
from codemods.sleep.spelling import sleep_calls, sleep_finding, unsupported_arguments

_RUFF = SPEC.ruff_codes
_SLEEP = Renamed("time.sleep", "asyncio.sleep")


def on_lines(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data``, by text edits; None when a call or an import
    is not of the shapes they take."""
    found = sleep_calls(data, options)
    units = None if found is None else units_of(found.statements, found.lines)
    if found is None or units is None:
        return None
    by_statement = {id(unit.statement): unit for unit in units}
    findings: list[Finding] = []
    renames: dict[int, tuple[ast.Call, Rewrite]] = {}
    for at, site in sorted(found.calls.items()):
        if id(site.call.func) not in found.spelled:
            continue
        if not callee_is(site.call, "time.sleep", found.lines):
            return None  # libcst sees the calls otherwise (a parenthesised callee)
        unit = by_statement[id(site.statement)]
        near = unit.suppression_lines(site.call)
        finding, rewritten = sleep_finding(
            at,
            unsupported_arguments(site.call),
            partial(silenced, ruff_codes=_RUFF, lines=near, unit=unit),
        )
        if finding is not None:
            findings.append(finding)
        if rewritten:
            renames[id(site.call)] = (site.call, _SLEEP)
    if not renames:
        return data, findings
    made = awaited(units, renames, found.lines)
    if made is None:
        return None
    gone = frozenset(id(call.func.value) for call, _ in renames.values())  # type: ignore[attr-defined]
    drop = [("time", None, None)]
    code = finished(found.tree, found.lines, units, made, filename, ["asyncio"], drop, gone)
    return None if code is None else (code, findings)


#: The codemod's ``edit`` step: these text edits, else its statements path.
edited = then_statements(on_lines, "codemods.sleep.units")
