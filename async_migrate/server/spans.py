"""Where a finding's call or expression ends, and which coroutine holds it, found with
the stdlib ``ast``.

A finding gives only where its node starts. The end is that of the innermost call
starting there (``requests.get(u)`` in ``requests.get(u).json()``), else of the
outermost expression starting there (``time.sleep`` passed as a callback), else of the
identifier there, else of the line's text.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence

_IDENTIFIER = re.compile(r"\w+")

#: (line, column) both 0-based, columns in characters.
Place = tuple[int, int]


class Spans:
    """Ends of the expressions, and spans of the coroutines, of one source text."""

    def __init__(self, text: str, lines: Sequence[str]) -> None:
        self._lines = lines
        # (line, byte column) of a start -> (is a call, span length, end line, end byte column)
        self._ends: dict[tuple[int, int], list[tuple[bool, int, int, int]]] = {}
        #: (first line, last line, name) of every ``async def``, lines 1-based.
        self.coroutines: list[tuple[int, int, str]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.AsyncFunctionDef):
                end = node.end_lineno or node.lineno
                self.coroutines.append((node.lineno, end, node.name))
            if not isinstance(node, ast.expr) or node.end_lineno is None:
                continue
            end_col = node.end_col_offset or 0
            size = (node.end_lineno - node.lineno) * 1_000_000 + end_col - node.col_offset
            self._ends.setdefault((node.lineno, node.col_offset), []).append(
                (isinstance(node, ast.Call), size, node.end_lineno, end_col)
            )

    def end(self, line: int, col: int) -> Place:
        """The end (exclusive) of what starts at ``line``, ``col`` (1-based, characters)."""
        index, start = line - 1, col - 1
        text = self._lines[index] if index < len(self._lines) else ""
        candidates = self._ends.get((line, len(text[:start].encode("utf-8"))), [])
        calls = [c for c in candidates if c[0]]
        if calls:
            _, _, end_line, end_byte = min(calls, key=lambda c: c[1])
        elif candidates:
            _, _, end_line, end_byte = max(candidates, key=lambda c: c[1])
        else:
            return index, self._word_end(text, start)
        end_text = self._lines[end_line - 1] if end_line - 1 < len(self._lines) else ""
        prefix = end_text.encode("utf-8")[:end_byte]
        return end_line - 1, len(prefix.decode("utf-8", errors="ignore"))

    def coroutine(self, line: int) -> tuple[int, int, str] | None:
        """The innermost ``async def`` around ``line`` (1-based): first line, last, name."""
        around = [c for c in self.coroutines if c[0] <= line <= c[1]]
        return max(around) if around else None

    @staticmethod
    def _word_end(text: str, start: int) -> int:
        match = _IDENTIFIER.match(text, start)
        if match:
            return match.end()
        stripped = text.rstrip()
        return len(stripped) if len(stripped) > start else len(text)
