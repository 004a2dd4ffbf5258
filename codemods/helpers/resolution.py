"""What a call in a project function calls: the qualified names the index recorded for
it, resolved against the project's modules to one project function.

Calls are followed to module-level functions of the same module, to functions imported
from project modules (relative imports and ``__init__`` re-exports included), to
``self.m()``/``cls.m()`` methods of the class and of its project base classes, and to
``ClassName.m()`` (a class called as such runs its ``__init__``). Nothing else is followed.

A resolver can also say which names it looked up (:attr:`Resolver.consulted`): the
modules a resolution depends on are their proper prefixes, so that a project index can
grow until every module that could change an answer is in it.

Works on :mod:`codemods.core.index` records only: no parsing, no libcst.
"""

from __future__ import annotations

from collections.abc import Iterable

from codemods.core.index import Function, ModuleRecord

#: How many re-exports (``from .catalog import load_item`` in ``__init__``) are followed.
ALIAS_DEPTH = 8


class Resolver:
    """The index records of a project's modules, and what its calls resolve to."""

    def __init__(self, records: Iterable[ModuleRecord]) -> None:
        self.modules = {r.module: r for r in records}
        self.functions: dict[str, tuple[ModuleRecord, Function]] = {
            qualified(r.module, q): (r, f)
            for r in self.modules.values()
            for q, f in r.functions.items()
        }
        self.context_variables = {v for r in self.modules.values() for v in r.context_variables}
        #: When a set: every qualified name looked up among the modules, the functions or
        #: the context variables is added to it (the answer depends on the records of the
        #: name's proper prefixes).
        self.consulted: set[str] | None = None
        #: Name -> what it resolves to and the names its resolution looked up (the same
        #: name is called from many functions: ``logger.info``, ``self.helper``).
        self._resolved: dict[str, tuple[str | None, frozenset[str]]] = {}

    def _consult(self, name: str) -> None:
        if self.consulted is not None:
            self.consulted.add(name)

    def resolve(self, names: Iterable[str]) -> str | None:
        """The project function (qualified) a call with these candidate names calls."""
        for name in names:
            known = self._resolved.get(name)
            if known is None:
                outer, self.consulted = self.consulted, set()
                try:
                    found = self._resolve(name, ALIAS_DEPTH)
                finally:
                    looked_up, self.consulted = self.consulted, outer
                known = self._resolved[name] = (found, frozenset(looked_up))
            if self.consulted is not None:
                self.consulted |= known[1]
            if known[0] is not None:
                return known[0]
        return None

    def _resolve(self, name: str, depth: int) -> str | None:
        self._consult(name)
        if name in self.functions:
            return name
        if depth == 0:
            return None
        klass = self._class(name)
        if klass is not None:  # ``ClassName(...)`` runs ``__init__``
            return self._method(klass, "__init__", depth)
        owner, _, attribute = name.rpartition(".")
        if owner:
            klass = self._class(owner)
            if klass is not None:
                return self._method(klass, attribute, depth)
        # A name re-exported by a module: ``shop.load_item`` for ``shop.catalog.load_item``.
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            record = self.modules.get(module)
            if record is not None and parts[cut] in record.aliases:
                target = ".".join([record.aliases[parts[cut]], *parts[cut + 1 :]])
                if target != name:
                    return self._resolve(target, depth - 1)
        return None

    def _class(self, name: str) -> tuple[ModuleRecord, str] | None:
        self._consult(name)
        parts = name.split(".")
        for cut in range(len(parts) - 1, -1, -1):
            record = self.modules.get(".".join(parts[:cut]))
            if record is not None:
                qualname = ".".join(parts[cut:])
                return (record, qualname) if qualname in record.classes else None
        return None

    def _method(self, klass: tuple[ModuleRecord, str], name: str, depth: int) -> str | None:
        """``name`` looked up on a project class and its project bases, in order."""
        seen: set[tuple[str, str]] = set()
        order = [klass]
        while order:
            record, qualname = order.pop(0)
            if (record.module, qualname) in seen:
                continue
            seen.add((record.module, qualname))
            key = qualified(record.module, f"{qualname}.{name}")
            self._consult(key)
            if key in self.functions:
                return key
            for base in record.classes[qualname]:
                found = self._class(base) or self._aliased_class(base, depth)
                if found is not None:
                    order.append(found)
        return None

    def _aliased_class(self, name: str, depth: int) -> tuple[ModuleRecord, str] | None:
        self._consult(name)
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            record = self.modules.get(".".join(parts[:cut]))
            if record is not None and parts[cut] in record.aliases and depth > 0:
                target = ".".join([record.aliases[parts[cut]], *parts[cut + 1 :]])
                return self._class(target) or self._aliased_class(target, depth - 1)
        return None

    def class_named(self, name: str) -> tuple[ModuleRecord, str] | None:
        """The project class a qualified name (or a re-export of one) stands for."""
        return self._class(name) or self._aliased_class(name, ALIAS_DEPTH)

    def method(self, klass: tuple[ModuleRecord, str], name: str) -> str | None:
        """The method ``name`` of a project class or of its project bases, qualified."""
        return self._method(klass, name, ALIAS_DEPTH)

    def is_context_variable(self, reference: str) -> bool:
        """Whether ``reference`` (``pkg.ctx.request_id``, ``pkg.mod.Backend._synced``) is a
        context variable the project creates: directly, re-exported by a module, or an
        attribute a project class inherits."""
        self._consult(reference)
        if reference in self.context_variables:
            return True
        parts = reference.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            record = self.modules.get(".".join(parts[:cut]))
            if record is not None and parts[cut] in record.aliases:
                target = ".".join([record.aliases[parts[cut]], *parts[cut + 1 :]])
                self._consult(target)
                if target != reference and target in self.context_variables:
                    return True
        owner, _, attribute = reference.rpartition(".")
        klass = self._class(owner) if owner else None
        seen: set[tuple[str, str]] = set()
        order = [klass] if klass is not None else []
        while order:
            record, qualname = order.pop(0)
            if (record.module, qualname) in seen:
                continue
            seen.add((record.module, qualname))
            key = qualified(record.module, f"{qualname}.{attribute}")
            self._consult(key)
            if key in self.context_variables:
                return True
            for base in record.classes[qualname]:
                found = self._class(base) or self._aliased_class(base, ALIAS_DEPTH)
                if found is not None:
                    order.append(found)
        return False


def qualified(module: str, qualname: str) -> str:
    return f"{module}.{qualname}" if module else qualname
