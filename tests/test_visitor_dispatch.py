"""libcst's visitors, dispatching through a table per class, call what libcst's own lookup
calls (less the empty stubs), in the same order, and give the same trees."""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ScopeProvider

from codemods.core import visitor_dispatch
from codemods.core.visitor_dispatch import ORIGINAL

SOURCE = """\
import time
from os import path as p


async def handler(x, *, y=p.sep):
    time.sleep(x)
    for item in [x, y]:
        print(item.value, [i for i in item])
    return lambda z: z + 1


class C(Base, metaclass=Meta):
    def method(self):
        return self.value
"""


class Recorder(cst.CSTVisitor):
    """Records every real method libcst calls on it; skips the children of a lambda."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.calls.append(("visit_Name", node.value))

    def leave_Name(self, original_node: cst.Name) -> None:
        self.calls.append(("leave_Name", original_node.value))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.calls.append(("visit_Lambda", ""))
        return False

    def visit_Attribute_attr(self, node: cst.Attribute) -> None:
        self.calls.append(("visit_Attribute_attr", node.attr.value))

    def leave_Call_args(self, original_node: cst.Call) -> None:
        self.calls.append(("leave_Call_args", str(len(original_node.args))))

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.calls.append(("visit_ClassDef_bases", node.name.value))


class Subclassed(Recorder):
    """Overrides one method and inherits the others."""

    def visit_Name(self, node: cst.Name) -> None:
        self.calls.append(("sub visit_Name", node.value))


class Renamer(cst.CSTTransformer):
    """Renames every name ``time`` and leaves the bodies of classes alone."""

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == "time":
            return updated_node.with_changes(value="clock")
        return updated_node


class WithStatic(cst.CSTVisitor):
    """A visit method that is not a plain function: libcst's own lookup visits it."""

    seen: list[str] = []

    @staticmethod
    def visit_Name(node: cst.Name) -> None:
        WithStatic.seen.append(node.value)


def _with_libcst_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    for (owner, name), function in ORIGINAL.items():
        monkeypatch.setattr(getattr(cst, owner), name, function)


def _calls(visitor_class: type[Recorder]) -> list[tuple[str, str]]:
    visitor = visitor_class()
    cst.parse_module(SOURCE).visit(visitor)
    return visitor.calls


@pytest.mark.parametrize("visitor_class", [Recorder, Subclassed])
def test_a_visitor_is_called_as_libcst_calls_it(
    visitor_class: type[Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor_dispatch.install()
    assert cst.CSTVisitor.on_visit is visitor_dispatch.visitor_on_visit
    dispatched = _calls(visitor_class)
    with monkeypatch.context() as patched:
        _with_libcst_lookup(patched)
        looked_up = _calls(visitor_class)
    assert dispatched == looked_up
    assert ("visit_Lambda", "") in dispatched and ("visit_Name", "z") not in dispatched
    assert {kind for kind, _ in dispatched} >= {
        "leave_Name" if visitor_class is Recorder else "sub visit_Name",
        "visit_Attribute_attr",
        "leave_Call_args",
        "visit_ClassDef_bases",
    }


def test_a_transformer_gives_the_tree_libcst_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    visitor_dispatch.install()
    dispatched = cst.parse_module(SOURCE).visit(Renamer()).code
    with monkeypatch.context() as patched:
        _with_libcst_lookup(patched)
        looked_up = cst.parse_module(SOURCE).visit(Renamer()).code
    assert dispatched == looked_up
    assert "clock.sleep(x)" in dispatched and "import clock" in dispatched


def test_a_visit_method_that_is_not_a_function_is_looked_up_by_libcst() -> None:
    visitor_dispatch.install()
    WithStatic.seen.clear()
    cst.parse_module("a = b\n").visit(WithStatic())
    assert WithStatic.seen == ["a", "b"]


def test_the_scope_analysis_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    visitor_dispatch.install()

    def accesses() -> list[Any]:
        wrapper = MetadataWrapper(cst.parse_module(SOURCE))
        scopes = wrapper.resolve(ScopeProvider)
        return sorted(
            (type(scope).__name__, access.node.value, len(access.referents))
            for scope in set(scopes.values())
            if scope is not None
            for access in scope.accesses
        )

    dispatched = accesses()
    with monkeypatch.context() as patched:
        _with_libcst_lookup(patched)
        assert accesses() == dispatched
    assert ("FunctionScope", "time", 1) in dispatched
