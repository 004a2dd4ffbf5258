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

:func:`install` puts it in place (:mod:`codemods.core.imports` does, when imported); a
libcst without these functions is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def install() -> None:
    """Make libcst's three searches remember their answers per class (once per process)."""
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
