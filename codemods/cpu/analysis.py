"""What the ``cpu`` codemod knows about functions before it rewrites anything.

Pure syntax, no metadata: which names the user marked CPU-bound, which defs carry the
``# async-migrate: cpu-bound`` comment, whether a def changes its arguments or module
state (a worker process would lose those changes), and whether a sync def looks
CPU-bound (loops, no I/O) so that calls to it can be suggested for offloading.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.core import parsed
from codemods.cpu import suggestions
from codemods.cpu.names import MARKER

# Methods that change the object they are called on.
_MUTATING_METHODS = frozenset(
    "append extend insert pop popitem remove clear sort reverse update setdefault add "
    "discard write writelines seek truncate put".split()
)


def is_marked(node: cst.FunctionDef) -> bool:
    """True if the ``def`` line carries ``# async-migrate: cpu-bound``."""
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        comment = body.header.comment
    else:
        comment = body.trailing_whitespace.comment
    return comment is not None and bool(MARKER.search(comment.value))


def contains(node: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...]) -> bool:
    """True if ``node``'s own code (not nested defs, lambdas or classes) has one of ``kinds``."""
    finder = _Finder(kinds)
    node.visit(finder)
    return finder.found


class _Finder(cst.CSTVisitor):
    def __init__(self, kinds: tuple[type[cst.CSTNode], ...]) -> None:
        self.kinds = kinds
        self.found = False
        self._top: cst.CSTNode | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found:
            return False
        if self._top is None:
            self._top = node
        elif isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(node, self.kinds):
            self.found = True
            return False
        return True


def is_generator(node: cst.FunctionDef) -> bool:
    return contains(node.body, (cst.Yield,))


def state_change(node: cst.FunctionDef) -> str | None:
    """Why a worker process would lose what ``node`` changes, or None if nothing visible.

    Looks for ``global``/``nonlocal``, assignments to attributes or items of a parameter,
    and mutating method calls on a parameter. Mutation through another call is not seen.
    """
    params = _param_names(node.params)
    checker = _StateChange(params)
    node.body.visit(checker)
    return checker.reason


def _param_names(params: cst.Parameters) -> set[str]:
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class _StateChange(cst.CSTVisitor):
    def __init__(self, params: set[str]) -> None:
        self.params = params
        self.reason: str | None = None

    def _note(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason

    def visit_Global(self, node: cst.Global) -> None:
        self._note("it assigns module globals")

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._note("it assigns nonlocal variables")

    def _check_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Attribute, cst.Subscript)) and _root_name(target) in self.params:
            self._note(f"it changes its argument {_root_name(target)!r}")
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._check_target(element.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._check_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check_target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check_target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._check_target(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _MUTATING_METHODS
            and _root_name(func.value) in self.params
        ):
            self._note(f"it changes its argument {_root_name(func.value)!r}")


@dataclass
class ModuleFacts:
    """Module-level defs the codemod cares about, found without metadata."""

    marked: set[cst.FunctionDef]
    marked_methods: set[str]
    suggestible: set[cst.FunctionDef]


def module_facts(module: cst.Module) -> ModuleFacts:
    collector = _Collector()
    module.visit(collector)
    tree = parsed.parse(module.bytes)
    names = suggestions.suggestible(tree) if tree is not None else set()
    suggestible = {d for d in collector.top_level if d.name.value in names}
    return ModuleFacts(collector.marked, collector.marked_methods, suggestible)


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.marked: set[cst.FunctionDef] = set()
        self.marked_methods: set[str] = set()
        self.top_level: list[cst.FunctionDef] = []
        self._stack: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._stack and node.asynchronous is None:
            self.top_level.append(node)
        if is_marked(node):
            self.marked.add(node)
            if self._stack and self._stack[-1] == "class":
                self.marked_methods.add(node.name.value)
        self._stack.append("def")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()
