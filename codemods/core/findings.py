"""What codemods record: rewrites made and blocking calls left for manual work.

Kept free of libcst so the engine can handle results without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One rewrite made (``fixed``) or one blocking call left for manual work."""

    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    fixed: bool
