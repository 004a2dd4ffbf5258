"""What a planner found it cannot rewrite: a :class:`Problem` its command reports."""

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
