"""Unified diffs that ``patch -p1`` applies byte for byte.

The diff is computed on bytes, so a file's encoding, BOM and line endings reach the
patch unchanged; a last line without a newline gets the standard marker.
"""

from __future__ import annotations

import difflib
import os

_NO_NEWLINE = b"\\ No newline at end of file\n"


def unified_diff(old: bytes, new: bytes, display: str) -> bytes:
    """A unified diff from ``old`` to ``new`` with ``a/`` and ``b/`` path prefixes."""
    name = _diff_name(display)
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        _split_lines(old),
        _split_lines(new),
        fromfile=b"a/" + name,
        tofile=b"b/" + name,
        n=3,
    )
    out = bytearray()
    for line in lines:
        out += line
        if not line.endswith(b"\n"):
            out += b"\n" + _NO_NEWLINE
    return bytes(out)


def _split_lines(data: bytes) -> list[bytes]:
    """Lines ending in ``\\n`` (so ``\\r\\n`` stays whole and a lone ``\\r`` is kept in-line)."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _diff_name(display: str) -> bytes:
    path = display
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            path = relative
    path = os.path.normpath(path).replace(os.sep, "/")
    return os.fsencode(path)
