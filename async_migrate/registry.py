"""The codemods the tool knows, by the name users select them with.

Each entry says where its command class lives (imported only when a file needs
it, so a run over files with nothing to do never imports libcst) and what it
looks for (see :mod:`async_migrate.prefilter`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from async_migrate.prefilter import Targets

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


# Order matters: codemods run one after the other on the same module, in this order.
ENTRIES: tuple[Entry, ...] = (
    Entry(
        name="cpu",
        command="codemods.cpu:CpuCommand",
        summary="CPU-bound calls -> await loop.run_in_executor(<process pool>, ...)",
        prescan="codemods.cpu_prescan:may_apply",
    ),
    Entry(
        name="files",
        command="codemods.files:FilesCommand",
        summary="open()/os/shutil/pathlib/tempfile -> aiofiles / asyncio.to_thread",
        targets=Targets(
            tokens=(b"open", b"os", b"shutil", b"glob", b"tempfile", b"pathlib", b"Path"),
            names=frozenset(
                {"builtins.open", "io.open", "os.*", "shutil.*", "glob.*", "tempfile.*"}
                | {"pathlib.*"}
            ),
        ),
    ),
    Entry(
        name="sleep",
        command="codemods.sleep:SleepCommand",
        targets=Targets(tokens=(b"sleep",), names=frozenset({"time.sleep"})),
        summary="time.sleep(x) -> await asyncio.sleep(x)",
    ),
)

CODEMODS: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}


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
