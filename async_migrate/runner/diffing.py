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
    return with_header(hunks(old, new), display)


def hunks(old: bytes, new: bytes) -> bytes:
    """The hunks of the diff from ``old`` to ``new``, without the header naming the file."""
    lines = difflib.diff_bytes(
        difflib.unified_diff, _split_lines(old), _split_lines(new), b"a", b"b", n=3
    )
    out = bytearray()
    for number, line in enumerate(lines):
        if number < 2:  # the ---/+++ header
            continue
        out += line
        if not line.endswith(b"\n"):
            out += b"\n" + _NO_NEWLINE
    return bytes(out)


def with_header(body: bytes, display: str) -> bytes:
    """``body`` (hunks) under the header naming ``display``; empty when ``body`` is."""
    return _header(display) + body if body else b""


def without_header(diff: bytes, display: str) -> bytes:
    """The hunks of ``diff``, a diff of ``display`` made by :func:`unified_diff`."""
    header = _header(display)
    assert not diff or diff.startswith(header)
    return diff[len(header) :]


def _header(display: str) -> bytes:
    name = _diff_name(display)
    return b"--- a/" + name + b"\n+++ b/" + name + b"\n"


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
