"""Which of a project's sync functions block, and where coroutines call them.

A sync function blocks when it makes a call of the shared catalogue (``time.sleep``,
``requests.get``, ``open``, ``subprocess.run``, ...) or calls a project function that
blocks, to any depth; each keeps one witness chain (the shortest) down to the blocking
call. Calls are followed to module-level functions of the same module, to functions
imported from project modules (relative imports and ``__init__`` re-exports included),
to ``self.m()``/``cls.m()`` methods of the class and of its project base classes, and to
``ClassName.m()`` (a class called as such runs its ``__init__``). Nothing else is followed.

Works on :mod:`codemods.core.index` records only: no parsing, no libcst.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from codemods.core.index import Call, Function, ModuleRecord, blocking_calls

#: How many re-exports (``from .catalog import load_item`` in ``__init__``) are followed.
_ALIAS_DEPTH = 8


@dataclass(frozen=True)
class Blocking:
    """Why a project function blocks."""

    #: The chain of names down to the blocking call: ``("load_item", "backoff", "time.sleep")``.
    chain: tuple[str, ...]
    #: Where the blocking call at the end of the chain is.
    path: str
    line: int
    col: int

    def describe(self) -> str:
        return f"{' -> '.join(self.chain)} ({self.path}:{self.line}:{self.col})"


@dataclass(frozen=True)
class Site:
    """A call in a coroutine to a project function that blocks.

    A site is found again in the libcst tree by the coroutine it is in, the callee as
    written, and how many calls to the same callee come before it in that coroutine:
    positions move as earlier codemods rewrite the module, those do not.
    """

    coroutine: str
    callee: str
    occurrence: int
    line: int
    col: int
    #: The function called (``load_item``) and why it blocks.
    target: str
    blocking: Blocking
    #: Why offloading it at this call is not faithful, or "" (then it is offloaded).
    refusal: str = ""


class Project:
    """The index records of every module of a project, and what follows from them."""

    def __init__(self, records: Iterable[ModuleRecord]) -> None:
        self.modules = {r.module: r for r in records}
        self.functions: dict[str, tuple[ModuleRecord, Function]] = {
            _qualified(r.module, q): (r, f)
            for r in self.modules.values()
            for q, f in r.functions.items()
        }
        self.blocking = self._blocking()

    # -- resolution -------------------------------------------------------------

    def resolve(self, names: Iterable[str]) -> str | None:
        """The project function (qualified) a call with these candidate names calls."""
        for name in names:
            found = self._resolve(name, _ALIAS_DEPTH)
            if found is not None:
                return found
        return None

    def _resolve(self, name: str, depth: int) -> str | None:
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
            key = _qualified(record.module, f"{qualname}.{name}")
            if key in self.functions:
                return key
            for base in record.classes[qualname]:
                found = self._class(base) or self._aliased_class(base, depth)
                if found is not None:
                    order.append(found)
        return None

    def _aliased_class(self, name: str, depth: int) -> tuple[ModuleRecord, str] | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            record = self.modules.get(".".join(parts[:cut]))
            if record is not None and parts[cut] in record.aliases and depth > 0:
                target = ".".join([record.aliases[parts[cut]], *parts[cut + 1 :]])
                return self._class(target) or self._aliased_class(target, depth - 1)
        return None

    # -- blocking ---------------------------------------------------------------

    def _blocking(self) -> dict[str, Blocking]:
        found: dict[str, Blocking] = {}
        callers: dict[str, list[str]] = defaultdict(list)
        queue: deque[str] = deque()
        for key, (record, function) in self.functions.items():
            if function.is_async:
                continue
            witness = next(
                (
                    (name.removeprefix("builtins."), call.line, call.col)
                    for call, name in blocking_calls(function)
                    if not call.awaited
                ),
                None,
            ) or next(iter(function.object_calls), None)
            if witness is not None:
                name, line, col = witness
                found[key] = Blocking((_display(function), name), record.path, line, col)
                queue.append(key)
            for call in function.calls:
                target = None if call.awaited else self.resolve(call.names)
                if target is not None and target != key:
                    callers[target].append(key)
        while queue:  # breadth first: each function gets a shortest chain
            callee = queue.popleft()
            for caller in callers[callee]:
                if caller in found:
                    continue
                _, function = self.functions[caller]
                below = found[callee]
                found[caller] = Blocking(
                    (_display(function), *below.chain), below.path, below.line, below.col
                )
                queue.append(caller)
        return found

    def sites(self, module: str) -> list[Site]:
        """The calls in the coroutines of ``module`` to project functions that block."""
        record = self.modules.get(module)
        if record is None:
            return []
        found = []
        for coroutine in record.functions.values():
            if not coroutine.is_async:
                continue
            seen: dict[str, int] = defaultdict(int)
            for call in sorted(coroutine.calls, key=lambda c: (c.line, c.col)):
                occurrence = seen[call.text]
                seen[call.text] += 1
                if call.awaited:
                    continue
                target = self.resolve(call.names)
                if target is None or target not in self.blocking:
                    continue
                _, function = self.functions[target]
                if function.cpu_bound_marker:
                    continue  # the cpu codemod's: it goes to a process pool
                found.append(
                    Site(
                        coroutine=coroutine.qualname,
                        callee=call.text,
                        occurrence=occurrence,
                        line=call.line,
                        col=call.col,
                        target=function.qualname.removesuffix(".__init__"),
                        blocking=self.blocking[target],
                        refusal=_refusal(call, function),
                    )
                )
        return found

    def all_sites(self) -> Iterator[tuple[ModuleRecord, Site]]:
        for module, record in self.modules.items():
            for site in self.sites(module):
                yield record, site


def _refusal(call: Call, function: Function) -> str:
    """Why offloading the call to a thread would not be faithful, or ""."""
    if function.is_generator:
        return "it is a generator function: it blocks while it is iterated, not when called"
    if function.thread_bound:
        return f"it must run in the event loop's thread: {function.thread_bound}"
    if call.where == "generator":
        return "the call is in a generator expression, which runs lazily"
    if call.where == "locked":
        return "a thread lock is held around the call"
    return ""


def _qualified(module: str, qualname: str) -> str:
    return f"{module}.{qualname}" if module else qualname


def _display(function: Function) -> str:
    return function.qualname
