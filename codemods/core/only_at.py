"""Rewriting only some sites of a module (an editor's quick fix for one call).

The engine sets :attr:`AsyncCodemod.only_at <codemods.core.base.AsyncCodemod.only_at>` to
an :class:`OnlyAt`; the codemod's suppression check then treats every site not listed as
silenced by a comment, so the rewrite made at a listed site is exactly the one a run over
the module with ``# async-migrate: ignore`` on every other site would make.

Kept free of libcst.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Maps a (line, col) position of the module a codemod sees to the input's.
ToInput = Callable[[int, int], tuple[int, int]]


def _same(line: int, col: int) -> tuple[int, int]:
    return line, col


@dataclass(frozen=True)
class OnlyAt:
    """The sites that may be rewritten, as (line, col) of the input (both 1-based, col in
    characters, as :class:`~codemods.core.findings.Finding` gives them)."""

    sites: frozenset[tuple[int, int]]
    #: How positions of the module the codemod sees map to the input: earlier codemods may
    #: have changed it.
    to_input: ToInput = _same

    def allows(self, line: int, col: int) -> bool:
        """True if the node starting at (line, col) of the codemod's module is a listed site."""
        return self.to_input(line, col) in self.sites
