"""The ``files`` codemod's plain calls (:mod:`codemods.files.plain_calls`) on the
statements that hold them, without libcst on the rest of the module (see
:mod:`codemods.core.statements`): the command's own rewrites make each call, and the
import passes add ``import aiofiles.os`` and ``import asyncio`` and remove the imports the
rewrite left unused, as the command asks them to.
"""

from __future__ import annotations

import ast
from functools import partial
from typing import Any

import libcst as cst

from codemods.core.base import to_thread_call
from codemods.core.build import dotted
from codemods.core.findings import Finding
from codemods.core.import_names import Removal
from codemods.core.statements import Batch, Rewrite, finished, silenced
from codemods.files import command  # the module: libcst's tool lists a command where it is named
from codemods.files.plain_calls import Names, call_finding, plain_calls


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` and its findings; None when a call does not fit
    (then run the command)."""
    found = plain_calls(data, options)
    batch = None if found is None else Batch.of(found.statements, found.lines)
    if found is None or batch is None:
        return None
    return _rewritten(found.tree, found.lines, batch, found.wanted, found.names, filename, data)


def _rewritten(
    tree: ast.Module,
    lines: list[str],
    batch: Batch,
    wanted: dict[tuple[int, int], tuple[ast.Call, str]],
    resolved: Names,
    filename: str,
    data: bytes,
) -> tuple[bytes, list[Finding]] | None:
    """The module with the calls of ``wanted`` (by their position, with their qualified
    names) rewritten in ``batch``'s units, and the findings; None where the units see them
    otherwise."""
    findings: list[Finding] = []
    rewrites: dict[int, Rewrite] = {}
    removals: dict[Removal, None] = {}
    modules: dict[str, None] = {}
    ruff = command.FilesCommand.RUFF_CODES
    seen = 0
    for unit in batch.units:
        shared: set[tuple[int, int]] = set()
        for at, node in batch.calls(unit, shared).items():
            if at not in wanted:
                continue
            if at in shared:
                return None  # ``Path(p).exists()``: which call is which, libcst knows
            seen += 1
            call, what = wanted[at]
            near = batch.suppression_lines(unit, node)
            silenced_here = partial(silenced, ruff_codes=ruff, lines=near, unit=unit)
            finding, module = call_finding(at, what, silenced_here)
            if finding is None or module is None:
                continue
            findings.append(finding)
            modules[module] = None
            if module == "asyncio":
                rewrites[id(node)] = to_thread_call
            else:
                rewrites[id(node)] = _aiofiles(what)
                removals.update(dict.fromkeys(resolved.imports_of(call.func)))
    if seen != len(wanted):
        return None  # libcst sees a call elsewhere
    if not rewrites:
        return data, findings
    made = batch.awaited(rewrites)
    if made is None:
        return None
    code = finished(tree, lines, batch, made, filename, list(modules), list(removals))
    return None if code is None else (code, findings)


def _aiofiles(what: str) -> Rewrite:
    def rewrite(call: cst.Call) -> cst.BaseExpression:
        return call.with_changes(func=dotted(f"aiofiles.{what}"))

    return rewrite
