"""libcst's visitors call the ``visit_``/``leave_`` methods a class defines, looked up in a
table made once per class.

At every node a libcst visitor or transformer visits, it looks its methods up by name four
times (``visit_Name``, then ``visit_Name_value`` before each child and
``leave_Name_value`` after it, then ``leave_Name``), with ``getattr`` through the class's
whole hierarchy, and calls what it finds: for most names, one of the hundreds of empty
stubs libcst's typed visitor classes define (marked as such). Over a module that every
codemod's visit, the scope analysis and the import passes walk, those lookups and empty
calls were a sixth of the time. Here each class's real methods (not the stubs) are listed
once, and a visit calls only those: what libcst's own lookup would have called, minus the
calls that do nothing. A class with a ``visit_``/``leave_`` attribute that is not a plain
function (a static method, a callable object) is visited by libcst's own lookup.

:func:`install` puts it in place for libcst's plain visitors and transformers (the scope
analysis and the import passes build on them); the codemods' own base command uses the
same functions (:mod:`codemods.core.undecorated`).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from libcst import CSTTransformer, CSTVisitor

_Table = dict[str, Callable[..., Any]]

#: Class -> its real ``visit_``/``leave_`` functions by name; None: libcst's lookup.
_TABLES: dict[type, _Table | None] = {}

#: libcst's own methods, by (class name, method name), once replaced.
ORIGINAL: dict[tuple[str, str], Callable[..., Any]] = {}


def table(cls: type) -> _Table | None:
    """The functions ``cls`` defines or inherits for visiting, by name, the empty stubs
    left out; None if one of those names holds something other than a plain function."""
    try:
        return _TABLES[cls]
    except KeyError:
        pass
    found: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if name.startswith(("visit_", "leave_")):
                found[name] = value
    made: _Table | None = {}
    for name, value in found.items():
        if not isinstance(value, types.FunctionType):
            made = None
            break
        if not getattr(value, "_is_no_op", False):
            made[name] = value
    _TABLES[cls] = made
    return made


def transformer_on_visit(self: Any, node: Any) -> bool:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        return ORIGINAL["CSTTransformer", "on_visit"](self, node)
    visit = functions.get("visit_" + type(node).__name__)
    return visit is None or visit(self, node) is not False


def transformer_on_leave(self: Any, original_node: Any, updated_node: Any) -> Any:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        return ORIGINAL["CSTTransformer", "on_leave"](self, original_node, updated_node)
    leave = functions.get("leave_" + type(original_node).__name__)
    return updated_node if leave is None else leave(self, original_node, updated_node)


def visitor_on_visit(self: Any, node: Any) -> bool:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        return ORIGINAL["CSTVisitor", "on_visit"](self, node)
    visit = functions.get("visit_" + type(node).__name__)
    return visit is None or visit(self, node) is not False


def visitor_on_leave(self: Any, original_node: Any) -> None:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        ORIGINAL["CSTVisitor", "on_leave"](self, original_node)
        return
    leave = functions.get("leave_" + type(original_node).__name__)
    if leave is not None:
        leave(self, original_node)


def on_visit_attribute(self: Any, node: Any, attribute: str) -> None:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        ORIGINAL["CSTVisitor", "on_visit_attribute"](self, node, attribute)
        return
    visit = functions.get(f"visit_{type(node).__name__}_{attribute}")
    if visit is not None:
        visit(self, node)


def on_leave_attribute(self: Any, original_node: Any, attribute: str) -> None:
    functions = _TABLES.get(type(self)) or table(type(self))
    if functions is None:
        ORIGINAL["CSTVisitor", "on_leave_attribute"](self, original_node, attribute)
        return
    leave = functions.get(f"leave_{type(original_node).__name__}_{attribute}")
    if leave is not None:
        leave(self, original_node)


_REPLACEMENTS: dict[type, dict[str, Callable[..., Any]]] = {
    CSTTransformer: {
        "on_visit": transformer_on_visit,
        "on_leave": transformer_on_leave,
        "on_visit_attribute": on_visit_attribute,
        "on_leave_attribute": on_leave_attribute,
    },
    CSTVisitor: {
        "on_visit": visitor_on_visit,
        "on_leave": visitor_on_leave,
        "on_visit_attribute": on_visit_attribute,
        "on_leave_attribute": on_leave_attribute,
    },
}


def install() -> None:
    """Make libcst's plain visitors and transformers call through the tables (once per
    process)."""
    if ORIGINAL:
        return
    for cls, methods in _REPLACEMENTS.items():
        for name in methods:
            ORIGINAL[cls.__name__, name] = vars(cls)[name]
    for cls, methods in _REPLACEMENTS.items():
        for name, function in methods.items():
            setattr(cls, name, function)
