"""An editor buffer (text) as the bytes the file would hold, and back.

The engine decodes bytes as Python does, so a buffer is encoded with the encoding its
coding cookie declares (UTF-8 without one): a ``# -*- coding: latin-1 -*-`` module is
migrated as the file saved from that buffer would be.
"""

from __future__ import annotations

import codecs
import io
import tokenize


class EncodingError(Exception):
    """The buffer cannot be written in the encoding its coding cookie declares."""


def encoding_of(text: str) -> str:
    """The encoding the buffer's coding cookie declares (``utf-8`` without one)."""
    head = "".join(text.splitlines(keepends=True)[:2]).encode("utf-8", errors="replace")
    try:
        found, _ = tokenize.detect_encoding(io.BytesIO(head).readline)
    except SyntaxError:
        return "utf-8"
    name = codecs.lookup(found).name
    # A BOM in the buffer is its first character; encoding it as UTF-8 writes it back.
    return "utf-8" if name == "utf-8-sig" else name


def encode(text: str) -> tuple[bytes, str]:
    """The buffer's bytes, and the encoding used."""
    encoding = encoding_of(text)
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError as e:
        raise EncodingError(f"cannot encode the buffer as {encoding}: {e.reason}") from None


def decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding)
