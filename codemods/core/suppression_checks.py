"""Whether a suppression comment silences a code for a node (see
:mod:`codemods.core.suppressions` for the comments themselves), or the engine's
``only_at`` (see :mod:`codemods.core.only_at`) or the codes a run leaves off (see
:mod:`codemods.core.ignored`) leave the node alone."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from codemods.core.ignored import LeftAlone, Site
from codemods.core.only_at import OnlyAt
from codemods.core.suppressions import Suppression, parse_comment


class SuppressionChecks:
    """A mixin of the codemods' base class: ``suppressed(node, code)``."""

    #: Set by the engine (``migrate_source(only_at=...)``): the module's rewrite sites other
    #: than those to rewrite count as silenced by a comment. None: no restriction.
    only_at: OnlyAt | None = None
    #: Set by the engine: the codes this run leaves off (upper case), as if a comment
    #: silenced them on every line.
    ignored_codes: frozenset[str] = frozenset()
    #: Set by the engine: the sites earlier codemods left alone because their code is off.
    left_alone: LeftAlone = LeftAlone()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._comments: tuple[object, dict[int, Suppression]] | None = None
        #: The sites (line, col of this codemod's module) it left alone because their
        #: code is off: every later codemod leaves them alone too.
        self.sites_left_alone: set[Site] = set()

    def suppressed(self, node: cst.CSTNode, code: str) -> bool:
        """True if a comment silences ``code`` for ``node`` (a node of the original tree).

        The comment counts when it ends the node's first or last line, or the first or
        last line of the statement holding it (of its header, for ``if``/``with``/...):
        ``# async-migrate: ignore``, ``# async-migrate: ignore[AMnnn]``, ``# noqa``,
        ``# noqa: AMnnn``, or ``# noqa:`` with a ruff code listed in ``RUFF_CODES``.
        Under :attr:`only_at`, a node starting at another rewrite site is silenced too;
        so is a code in :attr:`ignored_codes`, and any code at a site in
        :attr:`left_alone`.
        """
        start = self.get_metadata(PositionProvider, node).start
        site = (start.line, start.column + 1)
        if self.only_at is not None and self.only_at.silences(*site):
            return True
        if self.left_alone.holds(*site) or site in self.sites_left_alone:
            return True
        if code.upper() in self.ignored_codes:
            self.sites_left_alone.add(site)
            return True
        comments = self._suppression_comments()
        if not comments:
            return False
        codes = frozenset(c.upper() for c in (code, *self.RUFF_CODES.get(code, ())))
        return any(
            line in comments and comments[line].covers(codes) for line in self._lines_of(node)
        )

    def left_off(self, node: cst.CSTNode, code: str) -> bool:
        """True if this run leaves ``code`` off (whatever the comments say), and then
        ``node``'s site is left alone by the codemods after this one too. For the sites a
        codemod rewrites only as part of another (the method calls of a file it opens),
        which comments do not single out."""
        if code.upper() not in self.ignored_codes:
            return False
        self.leave_alone(node)
        return True

    def leave_alone(self, node: cst.CSTNode) -> None:
        """Leave ``node``'s site alone from now on, in this codemod and the ones after it
        (a site migrated only together with one whose code the run leaves off)."""
        start = self.get_metadata(PositionProvider, node).start
        self.sites_left_alone.add((start.line, start.column + 1))

    def left_alone_here(self, node: cst.CSTNode) -> bool:
        """True if this codemod, or an earlier one, left ``node`` alone because a code at
        it is off in this run: nothing else is made or reported there."""
        start = self.get_metadata(PositionProvider, node).start
        site = (start.line, start.column + 1)
        return site in self.sites_left_alone or self.left_alone.holds(*site)

    def _suppression_comments(self) -> dict[int, Suppression]:
        """Line -> what the comment ending it silences, for the module being visited."""
        positions = self.metadata.get(PositionProvider, {})
        if self._comments is None or self._comments[0] is not positions:
            found = {}
            for node in positions:  # only a comment's position is made
                if isinstance(node, cst.Comment):
                    suppression = parse_comment(node.value)
                    if suppression is not None:
                        found[positions[node].start.line] = suppression
            self._comments = (positions, found)
        return self._comments[1]

    def _lines_of(self, node: cst.CSTNode) -> set[int]:
        where: CodeRange = self.get_metadata(PositionProvider, node)
        lines = {where.start.line, where.end.line}
        statement: cst.CSTNode | None = node
        while statement is not None and not isinstance(
            statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
        ):
            statement = self.parent_of(statement)
        if isinstance(statement, cst.SimpleStatementLine):
            span = self.get_metadata(PositionProvider, statement)
            lines.update((span.start.line, span.end.line))
        elif isinstance(statement, cst.BaseCompoundStatement):
            span = self.get_metadata(PositionProvider, statement)
            body = self.get_metadata(PositionProvider, statement.body)
            last = body.start.line - 1 if isinstance(statement.body, cst.IndentedBlock) else None
            lines.update((span.start.line, last or body.start.line))
        return lines
