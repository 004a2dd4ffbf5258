"""Suppression comments: what a comment silences, and whether a file opts out.

Recognised at the end of a line (anywhere in the line's comment):

- ``# async-migrate: ignore``: every code on that line;
- ``# async-migrate: ignore[AM101, AM103]``: those codes;
- ``# noqa``: every code;
- ``# noqa: AM101, ASYNC251``: those codes; ruff's and flake8-async's codes count
  for the async-migrate codes a codemod maps them to (its ``RUFF_CODES``).

And near the top of a file (a comment line among the first :data:`SKIP_FILE_LINES`):
``# async-migrate: skip-file``, which leaves the whole file alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SKIP_FILE_LINES = 10

# flake8's and ruff's form: a bare "noqa" comment, or "noqa:" followed by codes.
_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_IGNORE = re.compile(
    r"#\s*async-migrate:\s*ignore\b(?:\[(?P<codes>[A-Za-z0-9,\s]*)\])?", re.IGNORECASE
)
_SKIP_FILE = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t\f]*#[ \t]*async-migrate:[ \t]*skip-file\b",
    re.IGNORECASE | re.MULTILINE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass(frozen=True)
class Suppression:
    """What one comment silences: everything (``codes`` is None) or those codes."""

    codes: frozenset[str] | None

    def covers(self, codes: frozenset[str]) -> bool:
        """True if any of ``codes`` (upper case) is silenced."""
        return self.codes is None or not self.codes.isdisjoint(codes)


def parse_comment(comment: str) -> Suppression | None:
    """The suppression a comment carries, if any. ``comment`` starts with ``#``."""
    codes: set[str] = set()
    everything = False
    found = False
    for pattern in (_IGNORE, _NOQA):
        for match in pattern.finditer(comment):
            found = True
            listed = match.group("codes")
            if listed is None:
                everything = True
            else:
                codes.update(code.upper() for code in _CODE.findall(listed))
    if not found:
        return None
    return Suppression(None if everything or not codes else frozenset(codes))


def skips_file(data: bytes) -> bool:
    """True if a comment line among the first lines says ``# async-migrate: skip-file``."""
    end = -1
    for _ in range(SKIP_FILE_LINES):
        end = data.find(b"\n", end + 1)
        if end < 0:
            end = len(data)
            break
    return _SKIP_FILE.search(data, 0, end) is not None
