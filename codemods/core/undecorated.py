"""The libcst codemod command the codemods build on, made without libcst's search for
matcher decorators.

libcst's ``MatcherDecoratableTransformer`` looks, each time one is made, at every
attribute of the new instance for the ``@m.visit``, ``@m.leave`` and ``@m.call_if_inside``
decorators: a ``dir()`` and an inspection of each member, 4.5 ms, about a quarter of a
codemod's time on the small slice of an editor's analysis. The codemods use none of those
decorators (a test checks it), so this command starts with none, and visits each node
as a plain ``CSTTransformer`` does: libcst's matcher-aware visits look for those decorators
again at every node (a third of the time of a codemod that rewrites 400 coroutines).
"""

from __future__ import annotations

from libcst import CSTTransformer
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand


class UndecoratedCodemodCommand(VisitorBasedCodemodCommand):
    """A :class:`VisitorBasedCodemodCommand` whose methods carry no matcher decorator."""

    def __init__(self, context: CodemodContext) -> None:
        Codemod.__init__(self, context)
        CSTTransformer.__init__(self)
        self._matchers = {}
        self._extra_visit_funcs = {}
        self._extra_leave_funcs = {}

    # Without decorators, libcst's matcher-aware visits do exactly this, after the lookups.
    on_visit = CSTTransformer.on_visit
    on_leave = CSTTransformer.on_leave
    on_visit_attribute = CSTTransformer.on_visit_attribute
    on_leave_attribute = CSTTransformer.on_leave_attribute
