"""Which of a project's sync functions block, and where coroutines call them.

A sync function blocks when it makes a call of the shared catalogue (``time.sleep``,
``requests.get``, ``open``, ``subprocess.run``, ...) or calls a project function that
blocks, to any depth; each keeps one witness chain (the shortest) down to the blocking
call. Calls are followed as :mod:`codemods.helpers.resolution` resolves them.

A function also needs the event loop's thread when it, or any project function it calls,
to any depth, uses thread-bound state (a ``threading.local`` or a sqlite3 connection bound
at module level), changes a context variable the project creates (module-level, a class
attribute or one set on ``self``: ``asyncio.to_thread`` runs the call in a copy of the
context, so the change would be lost; reading one is faithful), or makes a call that works
only there (``asyncio.get_event_loop()``, ``loop.call_soon``, ``signal.signal``, ...): a
call to it is reported, not offloaded, with the chain down to what binds it.

Works on :mod:`codemods.core.index` records only: no parsing, no libcst.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from codemods.core.catalogue import FUNCTIONS
from codemods.core.index import Call, Function, ModuleRecord, blocking_calls
from codemods.helpers.resolution import Resolver, qualified


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
class Bound:
    """Why a project function must run in the event loop's thread."""

    #: The chain of names down to the function that needs the thread: ``("start",
    #: "Launcher.__init__")``.
    chain: tuple[str, ...]
    #: What that function does: ``calls asyncio.get_event_loop()``, ``reads a
    #: threading.local``.
    why: str
    path: str
    line: int
    col: int

    def describe(self) -> str:
        return f"{' -> '.join(self.chain)} {self.why} ({self.path}:{self.line}:{self.col})"


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
    #: With ``helpers-mode = "async"``: why the function stays sync (offloaded here).
    kept: str = ""


class Project(Resolver):
    """The index records of every module of a project, and what follows from them."""

    def __init__(
        self, records: Iterable[ModuleRecord], leave_alone: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(records)
        #: Families of blocking calls whose codemod is ignored: they do not make a
        #: function blocking.
        self.leave_alone = leave_alone
        self._callers = self._call_graph()
        self.blocking = self._blocking()
        self.bound = self._bound()

    # -- blocking ---------------------------------------------------------------

    def _call_graph(self) -> dict[str, list[str]]:
        """Project function -> the sync project functions that call it (not awaited)."""
        callers: dict[str, list[str]] = defaultdict(list)
        for key, (_, function) in self.functions.items():
            if function.is_async:
                continue
            for call in function.calls:
                target = None if call.awaited else self.resolve(call.names)
                if target is not None and target != key:
                    callers[target].append(key)
        return callers

    def _blocking(self) -> dict[str, Blocking]:
        found: dict[str, Blocking] = {}
        queue: deque[str] = deque()
        for key, (record, function) in self.functions.items():
            if function.is_async:
                continue
            witness = next(
                (
                    (name.removeprefix("builtins."), call.line, call.col)
                    for call, name in blocking_calls(function)
                    if not call.awaited and FUNCTIONS[name].value not in self.leave_alone
                ),
                None,
            ) or next(iter(function.object_calls), None)
            if witness is not None:
                name, line, col = witness
                found[key] = Blocking((_display(function), name), record.path, line, col)
                queue.append(key)
        while queue:  # breadth first: each function gets a shortest chain
            callee = queue.popleft()
            for caller in self._callers[callee]:
                if caller in found:
                    continue
                _, function = self.functions[caller]
                below = found[callee]
                found[caller] = Blocking(
                    (_display(function), *below.chain), below.path, below.line, below.col
                )
                queue.append(caller)
        return found

    def _bound(self) -> dict[str, Bound]:
        """The sync functions that must run in the event loop's thread, each with a
        shortest chain down to what binds it."""
        found: dict[str, Bound] = {}
        queue: deque[str] = deque()
        for key, (record, function) in self.functions.items():
            if function.is_async:
                continue
            name = _display(function)
            if function.loop_bound is not None:
                call, line, col = function.loop_bound
                found[key] = Bound((name,), f"calls {call}()", record.path, line, col)
            elif function.thread_bound:
                why = function.thread_bound.removeprefix("it ")
                found[key] = Bound((name,), why, record.path, function.line, function.col)
            elif change := next(
                (c for c in function.context_changes if self.is_context_variable(c[1])), None
            ):
                written, _, line, col = change
                why = f"changes a context variable: {written}()"
                found[key] = Bound((name,), why, record.path, line, col)
            else:
                continue
            queue.append(key)
        while queue:
            callee = queue.popleft()
            for caller in self._callers[callee]:
                if caller in found:
                    continue
                below = found[callee]
                chain = (_display(self.functions[caller][1]), *below.chain)
                found[caller] = Bound(chain, below.why, below.path, below.line, below.col)
                queue.append(caller)
        return found

    def sites(
        self,
        module: str,
        converted: frozenset[str] = frozenset(),
        kept: dict[str, str] | None = None,
    ) -> list[Site]:
        """The calls in the coroutines of ``module`` to project functions that block.
        ``converted`` (qualified names) are coroutines too, and their calls are awaited,
        not offloaded; ``kept`` says why a function called stays sync (async mode)."""
        record = self.modules.get(module)
        if record is None:
            return []
        found = []
        for coroutine in record.functions.values():
            key = qualified(module, coroutine.qualname)
            if not (coroutine.is_async or key in converted):
                continue
            seen: dict[str, int] = defaultdict(int)
            for call in sorted(coroutine.calls, key=lambda c: (c.line, c.col)):
                occurrence = seen[call.text]
                seen[call.text] += 1
                if call.awaited:
                    continue
                target = self.resolve(call.names)
                if target is None or target not in self.blocking or target in converted:
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
                        refusal=_refusal(call, function, self.bound.get(target)),
                        kept=(kept or {}).get(target, ""),
                    )
                )
        return found

    def all_sites(self) -> Iterator[tuple[ModuleRecord, Site]]:
        for module, record in self.modules.items():
            for site in self.sites(module):
                yield record, site


def _refusal(call: Call, function: Function, bound: Bound | None) -> str:
    """Why offloading the call to a thread would not be faithful, or ""."""
    if function.is_generator:
        return "it is a generator function: it blocks while it is iterated, not when called"
    if bound is not None:
        return f"it must run in the event loop's thread: {bound.describe()}"
    if call.where == "generator":
        return "the call is in a generator expression, which runs lazily"
    if call.where == "locked":
        return "a thread lock is held around the call"
    return ""


def _display(function: Function) -> str:
    return function.qualname


def describe(site: Site) -> str:
    """How a site's message starts: the helper called, and its chain down to the call
    that blocks."""
    return f"{site.target}() blocks: {site.blocking.describe()}"
