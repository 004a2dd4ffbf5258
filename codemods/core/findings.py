"""What codemods record: rewrites made and blocking calls left for manual work.

Kept free of libcst so the engine can handle results without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FINDINGS_KEY = "async_migrate.findings"


@dataclass(frozen=True, order=True)
class Finding:
    """One rewrite made (``fixed``) or one blocking call left for manual work."""

    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    fixed: bool


def findings_of(context: Any) -> list[Finding]:
    """The findings recorded so far in a ``CodemodContext`` (a live list)."""
    return context.scratch.setdefault(FINDINGS_KEY, [])
