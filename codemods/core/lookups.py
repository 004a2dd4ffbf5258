"""The one contract between a codemod's planners and its command: the read-only
:class:`Lookups` a planner is given.

A planner (``codemods/files/plan.py``, ``codemods/requests/coroutine.py``,
:mod:`codemods.core.blocking`, ...) decides what to rewrite from the original tree and
these metadata queries alone. It never calls back into the command: it returns what it
found (its plan, and :class:`~codemods.core.problems.Problem` objects for what it cannot
rewrite), and the command applies the plan and reports the problems.
:class:`~codemods.core.base.AsyncCodemod` satisfies this protocol, so a command passes
itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import libcst as cst
from libcst.metadata import Scope

from codemods.core.catalogue import ObjectKind


class Lookups(Protocol):
    """Metadata queries about nodes of the original tree; none of them changes anything."""

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Fully qualified names a dotted name ``node`` may refer to."""
        ...

    def resolves_to(self, node: cst.CSTNode, names: Iterable[str]) -> str | None:
        """The one of ``names`` that ``node`` refers to, if it refers to exactly one."""
        ...

    def call_names(self, func: cst.BaseExpression) -> set[str]:
        """Names a call target refers to, also when its module is used without an import."""
        ...

    def parent_of(self, node: cst.CSTNode) -> cst.CSTNode | None: ...

    def is_call_target(self, node: cst.CSTNode) -> bool:
        """True if ``node`` is what a call calls."""
        ...

    def scope_of(self, node: cst.CSTNode) -> Scope | None: ...

    def position_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """Where ``node`` starts: (line, from 1; column, from 0)."""
        ...

    def input_line(self, node: cst.CSTNode) -> int:
        """The line of the input ``node`` starts on (for a message that names a line:
        earlier codemods may have moved the lines of the module being visited)."""
        ...

    def module_name_free(self, node: cst.CSTNode, module: str) -> bool:
        """True if ``module`` can be used as a plain module name where ``node`` is."""
        ...

    def bound_where_left_out(self, name: str) -> bool:
        """True if a part of the module the engine left out of the tree binds ``name`` at
        module level (the tree no longer does)."""
        ...

    def attribute_kind(self, owner: str, attribute: str) -> ObjectKind | None:
        """The kind of the object instances of the class ``owner`` (its qualified name in
        the module) keep in ``attribute``, when the whole module says it."""
        ...

    def held_lock(self, node: cst.CSTNode) -> bool:
        """True if ``node`` runs inside ``with <thread lock>:`` within its function."""
        ...

    def suppressed(self, node: cst.CSTNode, code: str) -> bool:
        """True if a suppression comment silences ``code`` for ``node``, or the run leaves
        ``code`` off (then the command remembers ``node``'s site as left alone, for the
        codemods after it: the one thing a query records)."""
        ...
