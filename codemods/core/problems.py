"""What a planner found it cannot rewrite: a :class:`Problem` its command reports, and
:class:`Refused`, which a planner raises to give up on one object."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Problem:
    """A blocking call (or a use of one) left for manual work: reported at ``node`` (a node
    of the original tree) under ``code``."""

    node: cst.CSTNode
    code: str
    message: str


class Refused(Exception):
    """A use that cannot be migrated faithfully: (code, reason)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
