"""What can be read from the arguments of an ``open``-like call without running it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

UNKNOWN = object()  # a value that is not a literal in the source


@dataclass(frozen=True)
class FileMode:
    """The literal settings of one opened file; ``UNKNOWN`` where they are not literals."""

    mode: str | object
    buffering: int | object
    newline: str | None | object
    errors: str | None | object

    @property
    def binary(self) -> bool | None:
        """True/False when the mode is a literal, None when it cannot be known."""
        if not isinstance(self.mode, str):
            return None
        return "b" in self.mode

    @property
    def text(self) -> bool:
        return self.binary is False

    @property
    def buffered_binary(self) -> bool:
        return self.binary is True and isinstance(self.buffering, int) and self.buffering != 0

    @property
    def raw_binary(self) -> bool:
        return self.binary is True and self.buffering == 0


def bound_arguments(
    call: cst.Call, params: Sequence[str], skip: int = 0
) -> dict[str, cst.BaseExpression] | None:
    """The call's arguments by parameter name, or None if a ``*``/``**`` hides some.

    ``skip`` positional parameters are consumed by something else (``open``'s file).
    """
    out: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            out[arg.keyword.value] = arg.value
        elif index < len(params):
            out[params[index]] = arg.value
        else:
            return None
    return out


def literal(node: cst.BaseExpression | None, default: object) -> object:
    """The value of a string, integer or ``None`` literal; ``default`` if absent."""
    if node is None:
        return default
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else UNKNOWN
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal(node.expression, UNKNOWN)
        return -inner if isinstance(inner, int) else UNKNOWN
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    return UNKNOWN


def file_mode(arguments: dict[str, cst.BaseExpression] | None, default_mode: str) -> FileMode:
    if arguments is None:
        return FileMode(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN)
    mode = literal(arguments.get("mode"), default_mode)
    buffering = literal(arguments.get("buffering"), -1)
    return FileMode(
        mode=mode if isinstance(mode, str) else UNKNOWN,
        buffering=buffering if isinstance(buffering, int) else UNKNOWN,
        newline=literal(arguments.get("newline"), None),
        errors=literal(arguments.get("errors"), None),
    )
