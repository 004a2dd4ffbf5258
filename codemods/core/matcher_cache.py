"""libcst's search for matcher decorators, made once per class instead of once per object.

Every libcst visitor and transformer that supports the ``@m.visit``, ``@m.leave`` and
``@m.call_if_inside`` decorators searches its own attributes for them each time one is made
(a ``dir()`` and an inspection of every member: about 4.5 ms). Every codemod is made once
per slice, and the import passes make half a dozen of libcst's own visitors per module they
run on, which was a third of the time of a small module's migration. The decorators a
class carries do not change from one object of it to the next: the search runs for the
first object of a class, and later objects get the same functions bound to themselves.
``tests/test_import_passes.py`` checks the result is the search's own for the visitors the
passes use.

libcst's metadata providers (scope analysis, the import passes' gatherers) run as batched
visitors, each of which lists its own ``visit_``/``leave_`` methods with
``inspect.getmembers`` every time a tree is visited (about 3 ms: a visitor class has
hundreds of members); that list is remembered per class too.

:func:`install` puts it in place (:mod:`codemods.core.imports` does, when imported); a
libcst without these functions is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcst import BatchableCSTVisitor
from libcst.matchers import _visitors

_Gather = Callable[[object], dict[Any, Any]]

#: libcst's own searches, by name, once replaced.
ORIGINAL: dict[str, _Gather] = {}


def _per_class(search: _Gather) -> _Gather:
    """``search`` (matcher -> functions bound to the object), remembered per class."""
    known: dict[type, dict[Any, tuple[Callable[..., Any], ...]]] = {}

    def gather(obj: object) -> dict[Any, Any]:
        functions = known.get(type(obj))
        if functions is None:
            found = search(obj)
            functions = {key: tuple(f.__func__ for f in bound) for key, bound in found.items()}
            known[type(obj)] = functions
        return {key: tuple(f.__get__(obj) for f in fs) for key, fs in functions.items()}

    return gather


def _matchers_per_class(search: _Gather) -> _Gather:
    """``search`` (matcher -> None), remembered per class."""
    known: dict[type, tuple[Any, ...]] = {}

    def gather(obj: object) -> dict[Any, Any]:
        matchers = known.get(type(obj))
        if matchers is None:
            matchers = tuple(search(obj))
            known[type(obj)] = matchers
        return dict.fromkeys(matchers)

    return gather


def _visitors_per_class(search: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """``BatchableCSTVisitor.get_visitors`` (method name -> bound method), remembered per
    class; an object whose methods are not all its class's own is searched each time."""
    known: dict[type, dict[str, Callable[..., Any]]] = {}

    def get_visitors(obj: Any) -> dict[str, Any]:
        functions = known.get(type(obj))
        if functions is None:
            found = dict(search(obj))
            if not all(getattr(m, "__self__", None) is obj for m in found.values()):
                return found
            if any(name in vars(obj) for name in found):
                return found
            functions = {name: m.__func__ for name, m in found.items()}
            known[type(obj)] = functions
        return {name: f.__get__(obj) for name, f in functions.items()}

    return get_visitors


def install() -> None:
    """Make libcst's searches remember their answers per class (once per process)."""
    names = (
        "_gather_constructed_visit_funcs",
        "_gather_constructed_leave_funcs",
        "_gather_matchers",
    )
    if not all(callable(getattr(_visitors, name, None)) for name in names):
        return
    if getattr(_visitors, "_async_migrate_per_class", False):
        return
    ORIGINAL.update((name, getattr(_visitors, name)) for name in names)
    for name in names[:2]:
        setattr(_visitors, name, _per_class(ORIGINAL[name]))
    _visitors._gather_matchers = _matchers_per_class(ORIGINAL["_gather_matchers"])
    _visitors._async_migrate_per_class = True
    search = BatchableCSTVisitor.get_visitors
    if callable(search):
        ORIGINAL["get_visitors"] = search
        BatchableCSTVisitor.get_visitors = _visitors_per_class(search)  # type: ignore[method-assign]
