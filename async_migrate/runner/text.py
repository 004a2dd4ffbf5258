"""Is a file text Python could read? Binary files (images, archives, compiled code)
named ``*.py`` by accident are recognised before any parsing."""

from __future__ import annotations

import io
import tokenize


def why_not_text(data: bytes) -> str | None:
    """Why ``data`` is not a text file, or None when it is one.

    Text means: no NUL byte, and decodable in the encoding Python would read it with
    (UTF-8, or what a BOM or a coding cookie says). A cookie naming an unknown encoding
    is not judged here: it is an error of the source, reported when it is parsed.
    """
    nul = data.find(b"\0")
    if nul != -1:
        return f"NUL byte on line {_line(data, nul)}"
    if data.isascii():
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except SyntaxError:  # an unknown or contradictory coding cookie
        return None
    except UnicodeDecodeError as e:
        byte, line = data[e.start], _line(data, e.start)
        return f"cannot be decoded as {e.encoding}: byte 0x{byte:02x} on line {line}"
    return None


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
