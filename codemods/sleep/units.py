"""The ``sleep`` codemod on the statements that hold its calls, without libcst on the rest
of the module (see :mod:`codemods.core.statements`).

Taken when the module spells the sleep one way only, ``time.sleep(...)`` with ``time``
bound nowhere but by plain ``import time`` statements at its top level, and every such
spelling inside a coroutine is a call that runs directly in it (not in a generator
expression, a lambda, a nested function or a ``with`` block that may hold a thread lock,
not awaited, not a reference): then what the command would judge with libcst's view of
the whole module is read from the ``ast`` tree. libcst parses the statements holding the
calls, the command's own checks and rewrite make each ``await asyncio.sleep(...)`` (or its
report), and the import passes add ``import asyncio`` and take out the ``import time``
statements nothing uses any more, as the command asks them to.

Anything else (``from time import sleep``, an alias, a call the command would report as in
a generator expression or under a lock) makes :func:`edited` say None: the command runs.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

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
from codemods.sleep import command  # the module: libcst's tool lists a command where it is named
from codemods.sleep.spelling import spelled_in_coroutines, time_only_imported


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` and its findings; None when a call does not fit
    (then run the command)."""
    if options.get(IGNORED_CODES):
        return None
    source = source_text(data)
    if source is None or not asyncio_only_imported(data):
        return None  # the command asks the scope analysis, and may report AM105
    text, tree = source
    if not time_only_imported(tree, data):
        return None
    spelled = spelled_in_coroutines(tree)
    if not spelled:
        return None
    lines = LINE.findall(text)
    calls = calls_in_coroutines(tree, source_lines(data), {n.lineno for n in spelled.values()})
    by_callee = {id(c.call.func): c for c in calls.values()}
    statements = holding_statements(by_callee.get(id(node)) for node in spelled.values())
    batch = None if statements is None else Batch.of(statements, lines)
    if batch is None:
        return None
    findings: list[Finding] = []
    targets: dict[int, Rewrite] = {}
    ruff = command.SleepCommand.RUFF_CODES
    seen = 0
    for unit in batch.units:
        for (line, col), node in batch.calls(unit).items():
            if not _is_time_sleep(node.func):
                continue
            seen += 1
            near = batch.suppression_lines(unit, node)
            reason = command.unsupported_arguments(node)
            if reason:
                if not silenced("AM103", ruff, near, unit):
                    message = f"time.sleep with {reason}; rewrite it by hand"
                    findings.append(Finding(line, col, "AM103", message, False))
            elif not silenced("AM101", ruff, near, unit):
                message = "time.sleep -> await asyncio.sleep"
                findings.append(Finding(line, col, "AM101", message, True))
                targets[id(node)] = command.asyncio_sleep
    if seen != len(spelled):
        return None  # libcst sees the calls otherwise (a parenthesised callee)
    if not targets:
        return data, findings
    made = batch.awaited(targets)
    if made is None:
        return None
    code = finished(tree, lines, batch, made, filename, ["asyncio"], [("time", None, None)])
    return None if code is None else (code, findings)


def _is_time_sleep(func: cst.BaseExpression) -> bool:
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "sleep"
        and isinstance(func.value, cst.Name)
        and func.value.value == "time"
        and not func.lpar
        and not func.value.lpar
    )
