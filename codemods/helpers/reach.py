"""Which modules the ``helpers`` analysis needs: those its answers for some modules'
coroutines depend on, found by following calls rather than imports.

A coroutine's call is offloaded when it resolves to a sync project function that
blocks, and whether that one blocks (with which chain, or why it must stay in the event
loop's thread) depends only on the sync functions it calls, to any depth. So the
analysis needs the modules its resolution of those calls looks in: starting from the
coroutines, every name a call's resolution consults (the call's own names, re-exports
followed, ``self.m()`` looked up on the base classes, the context variables a function
changes) names the modules it may be in, its proper prefixes; those modules are indexed,
the calls whose resolution looked there are resolved again, and the sync functions
reached are followed in turn, until no call consults a module not yet asked for.

Works on :mod:`codemods.core.index` records only: ``fetch`` reads the files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from codemods.core.index import ModuleRecord
from codemods.helpers.resolution import Resolver, qualified

#: Given module names, the records of those that are project modules not indexed yet.
Fetch = Callable[[list[str]], list[ModuleRecord]]


def reach(seeds: Iterable[ModuleRecord], fetch: Fetch) -> list[ModuleRecord]:
    """``seeds``, then the records of every module the analysis of their coroutines'
    calls needs, in the order they were fetched."""
    records = list(seeds)
    walk = _Walk(records)
    walk.visit_all()
    while wanted := walk.wanted():
        found = fetch(wanted)
        if not found:
            continue
        records.extend(found)
        walk.grow(records, {r.module for r in found})
        walk.visit_all()
    return records


class _Walk:
    def __init__(self, records: list[ModuleRecord]) -> None:
        self.resolver = Resolver(records)
        #: Module names asked for (found or not).
        self.asked = set(self.resolver.modules)
        #: Functions (qualified) whose calls are followed: the coroutines of the seeds
        #: and the sync functions reached from them.
        self.reached = {
            qualified(module, qualname)
            for module, record in self.resolver.modules.items()
            for qualname, function in record.functions.items()
            if function.is_async
        }
        self.queue = sorted(self.reached)
        #: Module name -> the functions whose resolution looked in it.
        self.users: defaultdict[str, set[str]] = defaultdict(set)

    def visit_all(self) -> None:
        while self.queue:
            self._visit(self.queue.pop())

    def wanted(self) -> list[str]:
        """The modules looked in and not asked for yet (now asked for)."""
        found = sorted(m for m in self.users if m not in self.asked)
        self.asked.update(found)
        return found

    def grow(self, records: list[ModuleRecord], added: set[str]) -> None:
        """Resolve again, with ``records``, the calls whose resolution looked in the
        modules ``added``."""
        self.resolver = Resolver(records)
        self.asked.update(added)
        again = set().union(*(self.users.get(m, set()) for m in added))
        self.queue.extend(sorted(again))

    def _visit(self, key: str) -> None:
        found = self.resolver.functions.get(key)
        if found is None:  # its module's name went to another file
            return
        _, function = found
        consulted: set[str] = set()
        self.resolver.consulted = consulted
        try:
            for call in function.calls:
                if call.awaited:
                    continue
                target = self.resolver.resolve(call.names)
                if target is None or target in self.reached:
                    continue
                if not self.resolver.functions[target][1].is_async:
                    self.reached.add(target)
                    self.queue.append(target)
            if not function.is_async:
                for _, reference, _, _ in function.context_changes:
                    self.resolver.is_context_variable(reference)
        finally:
            self.resolver.consulted = None
        for name in consulted:
            parts = name.split(".")
            for cut in range(1, len(parts)):
                self.users[".".join(parts[:cut])].add(key)
