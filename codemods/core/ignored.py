"""Codes a run leaves off (``--ignore AM101``, or a ``--select`` that does not name them),
and the sites they leave alone.

A codemod given codes to leave off (its option :data:`IGNORED_CODES`, which the engine
takes out of its options) treats each of them as silenced by a suppression comment on
every line: it neither makes nor reports them. Unlike a comment, the site is then left
alone by every later codemod too (the ``offload`` fallback does not take a call whose
own codemod was told to leave it): the engine hands them the sites as a
:class:`LeftAlone`.

Kept free of libcst.
"""

from __future__ import annotations

from dataclasses import dataclass

from codemods.core.only_at import Site, ToInput, same_position

#: The option that carries a codemod's codes to leave off (a list of codes).
IGNORED_CODES = "ignored_codes"


def is_off(options: dict[str, object], code: str) -> bool:
    """Whether a codemod's ``options`` leave ``code`` off."""
    off = options.get(IGNORED_CODES) or ()
    return code.upper() in {str(c).upper() for c in off}  # type: ignore[union-attr]


@dataclass(frozen=True)
class LeftAlone:
    """Sites, as (line, col) of the input (1-based, col in characters), that an earlier
    codemod left alone because their code is off."""

    sites: frozenset[Site] = frozenset()
    #: How positions of the module the codemod sees map to the input. Set by the engine.
    to_input: ToInput = same_position

    def holds(self, line: int, col: int) -> bool:
        """True if the node starting at (line, col) of the codemod's module is such a site."""
        return self.to_input(line, col) in self.sites
