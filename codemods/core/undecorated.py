"""The libcst codemod command the codemods build on: it visits each node as a plain
``CSTTransformer`` does.

libcst's ``MatcherDecoratableTransformer`` looks at every node it visits for the
``@m.visit``, ``@m.leave`` and ``@m.call_if_inside`` decorators of the method it is about to
call (a third of the time of a codemod that rewrites 400 coroutines). The codemods use none
of those decorators (a test checks it), and without them those visits do exactly what a
plain transformer's do. The same search made each time a command is made is remembered per
class (:mod:`codemods.core.matcher_cache`), and the methods a visit calls are looked up in a
table made once per class (:mod:`codemods.core.visitor_dispatch`).
"""

from __future__ import annotations

from libcst.codemod import VisitorBasedCodemodCommand

from codemods.core import visitor_dispatch


class UndecoratedCodemodCommand(VisitorBasedCodemodCommand):
    """A :class:`VisitorBasedCodemodCommand` whose methods carry no matcher decorator."""

    # Without decorators, libcst's matcher-aware visits do what a plain transformer's do,
    # after the lookups.
    on_visit = visitor_dispatch.transformer_on_visit
    on_leave = visitor_dispatch.transformer_on_leave
    on_visit_attribute = visitor_dispatch.on_visit_attribute
    on_leave_attribute = visitor_dispatch.on_leave_attribute
