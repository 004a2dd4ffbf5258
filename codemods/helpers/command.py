"""Calls in coroutines to the project's own sync functions that block, one or more calls
away -> ``await asyncio.to_thread(func, *args)``, with the chain down to the blocking call
in the message (``load_item -> backoff -> time.sleep (shop/util.py:5:5)``).

Which calls: the ``sites`` the runner found with the project index (see
:mod:`codemods.helpers.analysis`); this command finds each again in the tree by its
coroutine, its callee as written and its occurrence, and offloads or reports it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.build import code_of
from codemods.helpers.analysis import Site, describe
from codemods.helpers.spec import SPEC


class HelpersCommand(AsyncCodemod):
    """Offload (or report) each call in a coroutine to a project function that blocks."""

    SPEC = SPEC
    # Its sites come from the project index: libcst's scope analysis is needed only for a
    # with item that may make a thread lock, or a name 'asyncio' bound otherwise than by a
    # plain import at the top of the module.
    LAZY_SCOPE = True

    def __init__(
        self,
        context: CodemodContext,
        sites: Sequence[Site] = (),
        offload: bool = True,
        leave_alone: Sequence[str] = (),  # used when the sites are found (see prescan.py)
        helpers_mode: str = "offload",  # likewise; async mode's plan is applied before
        convert: Sequence[tuple[str, int, str]] = (),  # any codemod runs (see convert.py)
        awaits: Sequence[tuple[str, str, int, int, str]] = (),
    ) -> None:
        super().__init__(context)
        self.offload = offload
        self._sites: dict[tuple[str, str, int], Site] = {
            (s.coroutine, s.callee, s.occurrence): s for s in sites
        }
        #: Calls to helpers made coroutines (async mode), awaited before any codemod ran.
        self._awaits: dict[tuple[str, str, int], str] = {(a[0], a[1], a[2]): a[4] for a in awaits}
        #: Functions made coroutines (async mode): qualified name -> the message.
        self._converted: dict[str, str] = {c[0]: c[2] for c in convert}
        self._scopes: list[str] = []  # qualified names of the enclosing classes and defs
        self._seen: list[dict[str, int]] = []  # per coroutine: callee -> calls so far
        self._found: set[tuple[str, str, int]] = set()
        self._keys: dict[int, tuple[str, str, int]] = {}  # id(original Call) -> its site

    # -- where we are -------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._scopes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(node.name.value)
        self._seen.append(defaultdict(int))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if original_node.asynchronous is not None:
            qualname = ".".join(self._scopes)
            if qualname in self._converted:
                self.fixed(original_node.name, "AM655", self._converted[qualname])
            self._report_lost(qualname, original_node)
        self._scopes.pop()
        self._seen.pop()
        return updated_node

    # -- calls ----------------------------------------------------------------------

    # Counted in visit order: a call's callee comes before the calls in its arguments,
    # which is the order of their positions, as the index counts them.
    def visit_Call(self, node: cst.Call) -> None:
        if not (self._sites or self._awaits) or not self._seen:
            return
        if not (self.in_coroutine() or self.in_generator_expression() or self.under_thread_lock()):
            return
        callee = normalised(node.func)
        if callee is None:
            return
        occurrence = self._seen[-1][callee]
        self._seen[-1][callee] += 1
        key = (".".join(self._scopes), callee, occurrence)
        if key in self._sites or key in self._awaits:
            self._keys[id(node)] = key

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        key = self._keys.get(id(original_node))
        if key is None:
            return updated_node
        if key in self._awaits:
            if isinstance(self.parent_of(original_node), cst.Await):
                what = self._awaits[key]
                self.fixed(original_node, "AM655", f"{what}; made a coroutine and awaited")
            return updated_node
        self._found.add(key)
        return self._handle(original_node, updated_node, self._sites[key])

    def _handle(self, original: cst.Call, updated: cst.Call, site: Site) -> cst.BaseExpression:
        what = describe(site)
        if isinstance(self.parent_of(original), cst.Await):
            return updated  # awaited: not the sync function the index saw
        if site.refusal or self.in_generator_expression() or self.under_thread_lock():
            reason = site.refusal or (
                LOCKED_REASON
                if self.under_thread_lock()
                else "the call is in a generator expression, which runs lazily"
            )
            self.report(original, "AM653", f"{what}; not offloaded: {reason}")
            return updated
        if not self.module_name_free(original, "asyncio"):
            self.report(
                original, "AM654", f"{what}; not offloaded: the name 'asyncio' is bound here"
            )
            return updated
        if not self.offload:
            self.report(original, "AM652", f"{what}; left as is (offloading is off)")
            return updated
        if self.suppressed(original, "AM651"):
            return updated
        kept = f" (kept sync in async mode: {site.kept})" if site.kept else ""
        self.fixed(original, "AM651", f"{what}; offloaded{kept}")
        return self.offloaded(original, updated)

    def _report_lost(self, coroutine: str, node: cst.FunctionDef) -> None:
        """Sites of ``coroutine`` an earlier rewrite moved or changed: reported at its def."""
        for key, site in self._sites.items():
            if key[0] == coroutine and key not in self._found:
                self._found.add(key)
                self.report(
                    node,
                    "AM654",
                    f"{describe(site)}; the call (line {site.line} of the input) was changed by "
                    "an earlier rewrite of this coroutine: check it by hand",
                )


def normalised(func: cst.BaseExpression) -> str | None:
    """The callee as ``ast.unparse`` writes it (the index's spelling)."""
    try:
        return ast.unparse(ast.parse(code_of(func).strip(), mode="eval").body)
    except SyntaxError:
        return None
