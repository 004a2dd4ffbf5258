"""Rewriting only some sites of a module (an editor's quick fix for one call).

``migrate_source(only_at=OnlyAt(...))`` gives the codemods an :class:`OnlyAt`: their
suppression check treats the module's *other* rewrite sites as silenced by a comment, so
what is made at the listed sites is exactly what a run over the module with
``# async-migrate: ignore`` on every other site would make (the comments aside). Nodes
that are no rewrite site are not affected: a codemod that migrates several calls as one
(a client and its method calls) still sees the calls that record nothing of their own.

Kept free of libcst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from codemods.core.findings import Finding

Site = tuple[int, int]
#: Maps a (line, col) position of the module a codemod sees to the input's.
ToInput = Callable[[int, int], Site]


def same_position(line: int, col: int) -> Site:
    """The map of positions that changes nothing."""
    return line, col


@dataclass(frozen=True)
class OnlyAt:
    """The sites to rewrite and the module's other rewrite sites, as (line, col) of the
    input (both 1-based, col in characters, as :class:`Finding` gives them)."""

    sites: frozenset[Site]
    #: Every other rewrite site of the module: silenced.
    others: frozenset[Site]
    #: How positions of the module the codemod sees map to the input (earlier codemods,
    #: or the engine's slicing, may have changed it). Set by the engine.
    to_input: ToInput = same_position

    @classmethod
    def of(cls, rewrites: Iterable[Finding], sites: Iterable[Site]) -> OnlyAt:
        """Rewrite ``sites`` of a module whose full migration made ``rewrites``."""
        wanted = frozenset(sites)
        return cls(wanted, frozenset((f.line, f.col) for f in rewrites) - wanted)

    def silences(self, line: int, col: int) -> bool:
        """True if the node starting at (line, col) of the codemod's module is another
        rewrite site."""
        return self.to_input(line, col) in self.others

    def seen_through(self, to_input: ToInput) -> OnlyAt:
        return replace(self, to_input=to_input)

    def moved(self, line_of: Callable[[int], int | None]) -> OnlyAt:
        """The same sites in another module whose line ``line_of(line)`` is the input's
        ``line`` (None: not there)."""

        def move(sites: frozenset[Site]) -> frozenset[Site]:
            found = ((line_of(line), col) for line, col in sites)
            return frozenset((line, col) for line, col in found if line is not None)

        return replace(self, sites=move(self.sites), others=move(self.others))
