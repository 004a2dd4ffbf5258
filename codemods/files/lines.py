"""The ``files`` codemod's plain calls (:mod:`codemods.files.plain_calls`) as text edits of
the lines that hold them, without libcst (see :mod:`codemods.core.line_units`):
``await aiofiles.os.path.exists(p)`` for ``os.path.exists(p)``, ``await
asyncio.to_thread(shutil.rmtree, p)`` for ``shutil.rmtree(p)``, each callee a dotted name
written plainly, in a statement or header on lines of its own. Otherwise the statements
path runs, and after it, when that says no, the command.
"""

from __future__ import annotations

import ast
from functools import partial
from typing import Any

from codemods.core.findings import Finding
from codemods.core.import_names import Removal
from codemods.core.line_units import (
    Renamed,
    Rewrite,
    ToThread,
    awaited,
    finished,
    then_statements,
    units_of,
)
from codemods.core.sites import silenced
from codemods.files.plain_calls import call_finding, plain_calls
from codemods.files.spec import SPEC

_RUFF = SPEC.ruff_codes
_TO_THREAD = ToThread()


def on_lines(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data``, by text edits; None when a call or an import
    is not of the shapes they take."""
    found = plain_calls(data, options)
    units = None if found is None else units_of(found.statements, found.lines)
    if found is None or units is None:
        return None
    holding = {
        id(call): unit
        for unit in units
        for part in unit.parts()
        for call in ast.walk(part)
        if isinstance(call, ast.Call)
    }
    findings: list[Finding] = []
    rewrites: dict[int, tuple[ast.Call, Rewrite]] = {}
    removals: dict[Removal, None] = {}
    modules: dict[str, None] = {}
    for at, (call, what) in sorted(found.wanted.items()):
        unit = holding.get(id(call))
        if unit is None:
            return None
        near = unit.suppression_lines(call)
        silenced_here = partial(silenced, ruff_codes=_RUFF, lines=near, unit=unit)
        finding, module = call_finding(at, what, silenced_here)
        if finding is None or module is None:
            continue
        findings.append(finding)
        modules[module] = None
        if module == "asyncio":
            rewrites[id(call)] = (call, _TO_THREAD)
        else:
            rewrites[id(call)] = (call, Renamed(ast.unparse(call.func), f"aiofiles.{what}"))
            removals.update(dict.fromkeys(found.names.imports_of(call.func)))
    if not rewrites:
        return data, findings
    made = awaited(units, rewrites, found.lines)
    if made is None:
        return None
    renamed = [call for call, rewrite in rewrites.values() if isinstance(rewrite, Renamed)]
    gone = frozenset(_root_name(call.func) for call in renamed)
    code = finished(
        found.tree, found.lines, units, made, filename, list(modules), list(removals), gone
    )
    return None if code is None else (code, findings)


def _root_name(func: ast.expr) -> int:
    """The id of the name a dotted callee starts with (gone once the callee is renamed)."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return id(func)


#: The codemod's ``edit`` step: these text edits, else its statements path.
edited = then_statements(on_lines, "codemods.files.units")
