"""The exception the planner raises for a use that cannot be migrated faithfully."""

from __future__ import annotations


class Refused(Exception):
    """A use that cannot be migrated faithfully: (code, reason)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
