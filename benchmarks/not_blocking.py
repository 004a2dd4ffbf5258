"""Which of ruff's blocking-call findings sit on calls that do not block (for corpus.py).

ruff's ASYNC222 flags every ``os.wait*`` call in an async function, but with ``WNOHANG`` among
its options ``os.waitpid``/``wait3``/``wait4``/``waitid`` returns at once. async-migrate leaves
such a call alone and reports nothing (tests/fixtures/subprocess/waitpid_nohang*.py): it must not
claim a call that does not block is blocking. The corpus script lists these findings apart
instead of counting them as unreported.

A finding is classified only when the node at exactly ruff's location is the callee of a call
to one of those functions, resolved through the file's imports (``import os [as o]`` or
``from os import waitpid [as w]``, the name bound by nothing else in the file), and its options
argument (by position or ``options=``) is ``WNOHANG`` (``os.WNOHANG`` or a ``from os import``),
alone or or-ed (``|``) with other flags. Anything else stays a finding.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

#: The wait functions that take an options argument, and its position.
OPTIONS_POSITION = {"waitpid": 1, "wait3": 0, "wait4": 1, "waitid": 2}
CODES = ("ASYNC222",)


@dataclass(frozen=True, order=True)
class Span:
    """A ruff location: 1-based lines, 1-based character columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class Module:
    """One parsed file: what its names are bound to, and its calls by callee span."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        tree = ast.parse(source)
        self.os_names: dict[str, str] = {}  # local name -> "os" or "os.<attribute>"
        stored: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    if alias.name == "os":
                        self.os_names[bound] = "os"
                    else:
                        stored.add(bound)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if node.module == "os" and node.level == 0 and alias.name != "*":
                        self.os_names[bound] = f"os.{alias.name}"
                    else:
                        stored.add(bound)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                stored.add(node.id)
            elif isinstance(node, ast.arg):
                stored.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stored.add(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                stored.add(node.name)
        # A name also bound some other way may not be the os one where it is used.
        for name in stored:
            self.os_names.pop(name, None)
        self.calls: dict[Span, ast.Call] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.calls[self.span(node.func)] = node

    def span(self, node: ast.expr) -> Span:
        assert node.end_lineno is not None and node.end_col_offset is not None
        return Span(
            node.lineno,
            self._column(node.lineno, node.col_offset),
            node.end_lineno,
            self._column(node.end_lineno, node.end_col_offset),
        )

    def _column(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1].encode("utf-8")[:byte_offset]
        return len(text.decode("utf-8", "replace")) + 1

    def resolve(self, node: ast.expr) -> str | None:
        """``os.<name>`` when ``node`` is that object of the os module, else None."""
        if isinstance(node, ast.Name):
            bound = self.os_names.get(node.id)
            return bound if bound and bound != "os" else None
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and self.os_names.get(node.value.id) == "os"
        ):
            return f"os.{node.attr}"
        return None

    def not_blocking(self, span: Span) -> str | None:
        """Why the call whose callee is at ``span`` does not block, or None."""
        call = self.calls.get(span)
        if call is None:
            return None
        name = self.resolve(call.func)
        function = name.removeprefix("os.") if name else ""
        if function not in OPTIONS_POSITION:
            return None
        options = _options_argument(call, OPTIONS_POSITION[function])
        if options is None or not self._has_wnohang(options):
            return None
        return f"{name} with WNOHANG returns at once"

    def _has_wnohang(self, node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._has_wnohang(node.left) or self._has_wnohang(node.right)
        return self.resolve(node) == "os.WNOHANG"


def _options_argument(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "options":
            return keyword.value
    positional = call.args[: position + 1]
    if len(positional) <= position or any(isinstance(a, ast.Starred) for a in positional):
        return None
    return positional[position]


def classify(source: str, code: str, span: Span) -> str | None:
    """Why ruff's ``code`` finding at ``span`` in ``source`` is on a call that does not block,
    or None (it stays a finding)."""
    if code not in CODES:
        return None
    try:
        module = Module(source)
    except (SyntaxError, ValueError):
        return None
    return module.not_blocking(span)
