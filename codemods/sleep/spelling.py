"""How a module spells ``time.sleep``, read from its ``ast`` tree: what the ``sleep``
codemod's edit paths decide on before they touch a line."""

from __future__ import annotations

import ast

from codemods.core import parsed
from codemods.core.plain_names import bound_otherwise


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
