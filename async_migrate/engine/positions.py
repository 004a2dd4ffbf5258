"""Map a position in an intermediate version of a file back to the input.

Codemods run one after the other; a later codemod sees the earlier ones' output,
so the lines it reports must be mapped back to the file the user has.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# Python (and libcst's positions) end lines at \n, \r\n and \r only; str.splitlines
# would also split at form feeds and other separators that source files contain.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(text: str) -> list[str]:
    """``text``'s lines as Python counts them, with their endings."""
    return _LINE.findall(text)


class PositionMap:
    """Maps (line, col), both 1-based, in ``new`` to the matching place in ``old``."""

    def __init__(self, old: str, new: str) -> None:
        self._old_lines = old_lines = source_lines(old)
        self._new_lines = new_lines = source_lines(new)
        # The lines the two share at the start and at the end are matched as they are;
        # only the middle goes to the matcher, whose cost grows with the lines that occur
        # many times (a slice's stand-ins are padded with hundreds of blank lines).
        shortest = min(len(old_lines), len(new_lines))
        start = 0
        while start < shortest and old_lines[start] == new_lines[start]:
            start += 1
        end = 0
        while end < shortest - start and old_lines[-1 - end] == new_lines[-1 - end]:
            end += 1
        old_end, new_end = len(old_lines) - end, len(new_lines) - end
        matcher = SequenceMatcher(
            None, old_lines[start:old_end], new_lines[start:new_end], autojunk=False
        )
        opcodes = [("equal", 0, start, 0, start)] if start else []
        opcodes += [
            (tag, i1 + start, i2 + start, j1 + start, j2 + start)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
        if end:
            opcodes.append(("equal", old_end, len(old_lines), new_end, len(new_lines)))
        self._opcodes = opcodes

    def to_new(self, line: int, col: int) -> tuple[int, int] | None:
        """Where (line, col) of ``old`` is in ``new``, when its line is one the two share
        unchanged; None otherwise."""
        index = line - 1
        for tag, i1, i2, j1, _ in self._opcodes:
            if tag == "equal" and i1 <= index < i2:
                return j1 + (index - i1) + 1, col
        return None

    def to_old(self, line: int, col: int) -> tuple[int, int]:
        index = line - 1
        for tag, i1, i2, j1, j2 in self._opcodes:
            if not j1 <= index < j2:
                continue
            if tag == "equal":
                return i1 + (index - j1) + 1, col
            if tag == "replace" and i2 - i1 == j2 - j1:
                old_index = i1 + (index - j1)
                return old_index + 1, _map_column(
                    self._old_lines[old_index], self._new_lines[index], col
                )
            return min(i1, max(len(self._old_lines) - 1, 0)) + 1, 1
        return line, col


def _map_column(old_line: str, new_line: str, col: int) -> int:
    matcher = SequenceMatcher(None, old_line, new_line, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        if b <= col - 1 < b + size:
            return a + (col - 1 - b) + 1
    return 1
