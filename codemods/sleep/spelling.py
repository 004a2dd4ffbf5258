"""How a module spells ``time.sleep``, read from its ``ast`` tree: what the ``sleep``
codemod's edit paths (:mod:`codemods.sleep.lines`, :mod:`codemods.sleep.units`) decide
on before they touch a line, and the finding each call gets."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codemods.core import parsed
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import source_lines
from codemods.core.plain_names import bound_otherwise
from codemods.core.sites import (
    LINE,
    CallSite,
    asyncio_only_imported,
    calls_in_coroutines,
    holding_statements,
    source_text,
)


@dataclass
class SleepCalls:
    tree: ast.Module
    #: The source's lines (:data:`~codemods.core.sites.LINE`).
    lines: list[str]
    #: Every ``time.sleep`` spelled in a coroutine, by id.
    spelled: dict[int, ast.Attribute]
    #: Each call in the coroutines near them, by its position.
    calls: dict[tuple[int, int], CallSite]
    #: The statements (or compound headers) holding the calls of ``time.sleep``.
    statements: list[ast.stmt]


def sleep_calls(data: bytes, options: dict[str, Any]) -> SleepCalls | None:
    """The module's calls of ``time.sleep`` and the statements holding them, when it
    spells the sleep one way only (``time`` bound by plain ``import time`` lines only,
    ``asyncio`` free) and every spelling is a call that runs directly in its coroutine;
    None otherwise (then the command decides: it may report AM102 or AM105)."""
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
    calls = calls_in_coroutines(tree, source_lines(data), {n.lineno for n in spelled.values()})
    by_callee = {id(c.call.func): c for c in calls.values()}
    statements = holding_statements(by_callee.get(id(node)) for node in spelled.values())
    if statements is None:
        return None
    return SleepCalls(tree, LINE.findall(text), spelled, calls, statements)


def sleep_finding(
    at: tuple[int, int], reason: str, silenced: Callable[[str], bool]
) -> tuple[Finding | None, bool]:
    """The finding of the call at ``at`` (None when a comment silences its code, as
    ``silenced`` tells), whose arguments cannot be carried over for ``reason`` (or can:
    ''), and whether it is rewritten."""
    if reason:
        if silenced("AM103"):
            return None, False
        return Finding(*at, "AM103", f"time.sleep with {reason}; rewrite it by hand", False), False
    if silenced("AM101"):
        return None, False
    return Finding(*at, "AM101", "time.sleep -> await asyncio.sleep", True), True


def time_only_imported(tree: ast.Module, data: bytes) -> bool:
    """Whether ``time`` is bound only by plain ``import time`` statements at the module's
    top level (at least one), and no other import names the module ``time``."""
    bound = bound_otherwise(data)
    if bound is None or "time" in bound:
        return False
    plain = False
    for node in parsed.statements(tree):  # imports are statements: no expression searched
        if isinstance(node, ast.ImportFrom) and node.module == "time" and not node.level:
            return False
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "time" or alias.name.startswith("time."):
                    if alias.asname is not None:
                        return False
                    plain = True
    return plain


def spelled_in_coroutines(tree: ast.Module) -> dict[int, ast.Attribute]:
    """Every ``time.sleep`` spelled inside a coroutine (nested code included), by id."""
    found: dict[int, ast.Attribute] = {}
    for coroutine in parsed.outermost_coroutines(tree):
        for node in parsed.walk(coroutine):
            if isinstance(node, ast.Attribute) and is_time_sleep(node):
                found[id(node)] = node
    return found


def is_time_sleep(node: ast.Attribute) -> bool:
    return node.attr == "sleep" and isinstance(node.value, ast.Name) and node.value.id == "time"


def unsupported_arguments(call: ast.Call) -> str:
    """Why the call's arguments cannot be carried over as they are, or '' (the command's
    ``unsupported_arguments``, on ``ast``)."""
    count = len(call.args) + len(call.keywords)
    if count != 1:
        return f"{count} arguments"
    if call.keywords:
        return "a keyword argument" if call.keywords[0].arg is not None else "a starred argument"
    (value,) = call.args
    if isinstance(value, ast.Starred):
        return "a starred argument"
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        operand = value.operand
        if isinstance(operand, ast.Constant) and type(operand.value) in (int, float):
            # time.sleep raises ValueError here; asyncio.sleep returns at once.
            return "a negative duration"
    return ""
