"""Text edits: the lines that differ between a buffer and its migrated form, and a
suppression comment added to one line."""

from __future__ import annotations

import io
import re
import tokenize
from difflib import SequenceMatcher

from lsprotocol import types

from async_migrate.engine.positions import source_lines
from async_migrate.server.positions import lines_of, units

_IGNORE_CODES = re.compile(r"(#\s*async-migrate:\s*ignore\[)([A-Za-z0-9,\s]*)(\])", re.IGNORECASE)


def _end(lines: list[str], encoding: str) -> types.Position:
    return types.Position(line=len(lines) - 1, character=units(lines[-1], encoding))


def line_edits(old: str, new: str, encoding: str) -> list[types.TextEdit]:
    """Edits that turn ``old`` into ``new``, one per run of changed lines (lines kept as
    they are are not touched, so markers and folds on them stay)."""
    if old == new:
        return []
    old_lines, new_lines = source_lines(old), source_lines(new)
    last = len(old_lines)
    document = lines_of(old)

    def at(index: int) -> types.Position:
        if index < last or old.endswith(("\n", "\r")):
            return types.Position(line=index, character=0)
        return _end(document, encoding)

    edits = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(start=at(i1), end=at(i2)), new_text="".join(new_lines[j1:j2])
            )
        )
    return edits


def _comment_lines(text: str) -> tuple[dict[int, tuple[int, str]], set[int]]:
    """For a parseable ``text``: line -> (character column, text) of the comment ending it,
    and the lines that end outside a string (where a comment may go); 1-based lines."""
    comments: dict[int, tuple[int, str]] = {}
    open_ends: set[int] = set()
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string)
        if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
            open_ends.add(token.start[0])
    return comments, open_ends


def ignore_edit(
    text: str, candidates: list[int], code: str, encoding: str
) -> tuple[int, types.TextEdit] | None:
    """A comment silencing ``code`` at the end of the first of ``candidates`` (1-based
    lines) that can take one: ``# async-migrate: ignore[CODE]`` appended, or ``CODE``
    added to an ``ignore[...]`` list already there. Returns the line and the edit."""
    if text.count("\r") != text.count("\r\n"):
        return None  # tokenize would not count lone carriage returns as line ends
    try:
        comments, open_ends = _comment_lines(text)
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = lines_of(text)
    for number in candidates:
        if number not in open_ends or number > len(lines):
            continue
        line = lines[number - 1]
        comment = comments.get(number)
        if comment is None:
            start = len(line.rstrip())
            new = f"  # async-migrate: ignore[{code}]"
            end = len(line)
        else:
            start, old = comment
            end = start + len(old)
            listed = _IGNORE_CODES.search(old)
            if listed:
                codes = [c.strip() for c in listed.group(2).split(",") if c.strip()]
                inner = ", ".join([*codes, code])
                new = old[: listed.start(2)] + inner + old[listed.end(2) :]
            else:
                new = f"{old}  # async-migrate: ignore[{code}]"
        index = number - 1
        edit = types.TextEdit(
            range=types.Range(
                start=types.Position(line=index, character=units(line[:start], encoding)),
                end=types.Position(line=index, character=units(line[:end], encoding)),
            ),
            new_text=new,
        )
        return number, edit
    return None
