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

from functools import partial
from typing import Any

import libcst as cst

from codemods.core.findings import Finding
from codemods.core.statements import Batch, Rewrite, finished, silenced
from codemods.sleep import command  # the module: libcst's tool lists a command where it is named
from codemods.sleep.spelling import sleep_calls, sleep_finding


def edited(
    data: bytes, filename: str, options: dict[str, Any]
) -> tuple[bytes, list[Finding]] | None:
    """What the command makes of ``data`` and its findings; None when a call does not fit
    (then run the command)."""
    found = sleep_calls(data, options)
    batch = None if found is None else Batch.of(found.statements, found.lines)
    if found is None or batch is None:
        return None
    findings: list[Finding] = []
    targets: dict[int, Rewrite] = {}
    ruff = command.SleepCommand.RUFF_CODES
    seen = 0
    for unit in batch.units:
        for at, node in batch.calls(unit).items():
            if not _is_time_sleep(node.func):
                continue
            seen += 1
            near = batch.suppression_lines(unit, node)
            finding, rewritten = sleep_finding(
                at,
                command.unsupported_arguments(node),
                partial(silenced, ruff_codes=ruff, lines=near, unit=unit),
            )
            if finding is not None:
                findings.append(finding)
            if rewritten:
                targets[id(node)] = command.asyncio_sleep
    if seen != len(found.spelled):
        return None  # libcst sees the calls otherwise (a parenthesised callee)
    if not targets:
        return data, findings
    made = batch.awaited(targets)
    if made is None:
        return None
    drop = [("time", None, None)]
    code = finished(found.tree, found.lines, batch, made, filename, ["asyncio"], drop)
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
