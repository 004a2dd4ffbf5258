"""The codemods the tool knows, by the name users select them with.

Each entry says where its command class lives (imported only when a file needs
it, so a run over files with nothing to do never imports libcst) and what it
looks for (see :mod:`async_migrate.engine.prefilter`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from async_migrate.engine.prefilter import Targets

Options = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """A codemod: its name, its command class, and its cheap prefilter: either the
    names it looks for (``targets``) or a function ``prescan(data, options) -> bool``
    of its own, in a module that does not import libcst."""

    name: str
    command: str  # "module:Class"
    summary: str
    targets: Targets = Targets()
    prescan: str | None = None  # "module:function"
    #: Offloads blocking calls to threads; ``--no-offload`` makes it report them.
    offloads: bool = False

    def load(self) -> type:
        return _load(self.command)

    def may_apply(self, data: bytes, options: Options) -> bool | None:
        """The prescan's verdict, or None when the entry declares ``targets`` instead."""
        if self.prescan is None:
            return None
        check: Callable[[bytes, Options], bool] = _load(self.prescan)
        return check(data, options)


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


# Calls the fallback handles can be spelled many ways (os.system, os.path, from os
# import ..., file objects known from annotations): sound, if broad.
OFFLOAD_TOKENS = (
    b"open",
    b"input",
    b"sleep",
    b"path",
    b"request",
    b"httpx",
    b"urllib",
    b"subprocess",
    b"os",  # os.system, os.path, os.fdopen, from os import ...: sound, if broad
    b"sqlite3",
    b"IO",
    b"Buffered",
    b"Client",
    b"Pool",
)


def _blocking(families: set[str], tokens: tuple[bytes, ...]) -> Targets:
    """What an offloading codemod looks for: the blocking functions of ``families``, and
    every constructor and annotation that makes a name a blocking object."""
    from codemods.core.catalogue import ANNOTATIONS, CONSTRUCTORS, FUNCTIONS

    names = {name for name, family in FUNCTIONS.items() if family in families}
    objects = frozenset(set(CONSTRUCTORS) | set(ANNOTATIONS))
    return Targets(tokens=tokens, names=frozenset(names) | objects, anywhere=objects)


def _files() -> Targets:
    """What the ``files`` codemod looks for: its functions, and Path objects, which may be
    bound outside the coroutine (``DATA = Path(__file__).parent``)."""
    from codemods.files.facts import PATH_CLASSES, PREFILTER_NAMES

    return Targets(
        tokens=(b"open", b"os", b"shutil", b"glob", b"tempfile", b"pathlib", b"Path"),
        names=PREFILTER_NAMES,
        anywhere=PATH_CLASSES,
    )


# Order matters: codemods run one after the other on the same module, in this order.
# ``requests`` comes first and ``sleep`` late: retry loops mix requests and time.sleep,
# and both apply in one run.
ENTRIES: tuple[Entry, ...] = (
    Entry(
        name="requests",
        command="codemods.requests.command:RequestsCommand",
        summary="requests -> aiohttp, one ClientSession per coroutine call",
        targets=Targets(tokens=(b"requests",), names=frozenset({"requests.*"})),
    ),
    Entry(
        name="cpu",
        command="codemods.cpu.command:CpuCommand",
        summary="CPU-bound calls -> await loop.run_in_executor(<process pool>, ...)",
        prescan="codemods.cpu.prescan:may_apply",
    ),
    Entry(
        name="files",
        command="codemods.files.command:FilesCommand",
        summary="open()/os/shutil/pathlib/tempfile -> aiofiles / asyncio.to_thread",
        targets=_files(),
    ),
    Entry(
        name="subprocess",
        command="codemods.subprocess.command:SubprocessCommand",
        summary="subprocess / os.system -> asyncio subprocesses, or asyncio.to_thread",
        targets=_blocking(
            {"subprocess"}, (b"subprocess", b"os", b"Popen", b"spawn", b"wait", b"system")
        ),
        offloads=True,
    ),
    Entry(
        name="http",
        command="codemods.http.command:HttpCommand",
        summary="httpx / urllib / urllib3 -> httpx.AsyncClient, or asyncio.to_thread",
        targets=_blocking(
            {"http"}, (b"httpx", b"urllib", b"urlopen", b"requests", b"Client", b"Pool")
        ),
        offloads=True,
    ),
    Entry(
        name="sleep",
        command="codemods.sleep.command:SleepCommand",
        targets=Targets(tokens=(b"sleep",), names=frozenset({"time.sleep"})),
        summary="time.sleep(x) -> await asyncio.sleep(x)",
    ),
    # The fallback runs last: it offloads only what every codemod above left blocking.
    Entry(
        name="offload",
        command="codemods.offload.command:OffloadCommand",
        summary="any other blocking call -> await asyncio.to_thread(...)",
        targets=_blocking(
            {"requests", "http", "subprocess", "files", "input", "sleep", "database"},
            OFFLOAD_TOKENS,
        ),
        offloads=True,
    ),
)

CODEMODS: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}


def offload_options(names: Iterable[str], offload: bool) -> dict[str, dict[str, Any]]:
    """Codemod options for ``--no-offload``: the codemods that offload blocking calls to
    a thread report them instead."""
    if offload:
        return {}
    return {n: {"offload": False} for n in names if CODEMODS[n].offloads}


def commands() -> dict[str, type]:
    """Every codemod's command class, by name (imports them all, libcst included)."""
    return {name: entry.load() for name, entry in CODEMODS.items()}


class UnknownCodemod(ValueError):
    pass


def choose(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    """The names of the codemods to run: all, or those selected, minus those ignored."""
    select, ignore = list(select), list(ignore)
    for name in (*select, *ignore):
        if name not in CODEMODS:
            known = ", ".join(CODEMODS)
            raise UnknownCodemod(f"unknown codemod {name!r} (known: {known})")
    chosen = select or list(CODEMODS)
    return [name for name in CODEMODS if name in chosen and name not in ignore]


def hint_codes() -> frozenset[str]:
    """The codes that are hints (severity HINT in the codemods' declarations): shown,
    but not failing ``--check`` unless selected explicitly (``--extend-select``)."""
    return frozenset({"AM406"})
