"""Positions: a finding's 1-based line and column in characters, and LSP's 0-based line
and column in code units of the negotiated encoding (UTF-16 unless the client offers
another).

Lines end at ``\\n``, ``\\r\\n`` and ``\\r``, as both Python and LSP count them (not at form
feeds and the other separators ``str.splitlines`` knows).
"""

from __future__ import annotations

from collections.abc import Sequence

from async_migrate.engine.positions import source_lines

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def lines_of(text: str) -> list[str]:
    """``text``'s lines without their endings; a text ending with a line break has an empty
    last line (where a cursor can stand)."""
    lines = [line.rstrip("\r\n") for line in source_lines(text)]
    if not lines or text.endswith(("\n", "\r")):
        lines.append("")
    return lines


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in code units of ``encoding``."""
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    if encoding == UTF32:
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def to_units(line: str, column: int, encoding: str) -> int:
    """The 0-based column, in code units, of the character at 0-based ``column`` of ``line``
    (past the end: the end of the line)."""
    return units(line[:column], encoding)


def position(lines: Sequence[str], line: int, column: int, encoding: str) -> tuple[int, int]:
    """LSP (line, character) for 0-based ``line`` and 0-based ``column`` in characters."""
    if line >= len(lines):
        return len(lines) - 1, units(lines[-1], encoding)
    return line, to_units(lines[line], column, encoding)
