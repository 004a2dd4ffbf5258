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
    name: str
    command: str  # "module:Class"
    targets: Targets | Callable[[Options], Targets]
    summary: str

    def load(self) -> type:
        module, _, attribute = self.command.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def targets_for(self, options: Options) -> Targets:
        return self.targets(options) if callable(self.targets) else self.targets


# Order matters: codemods run one after the other on the same module, in this order.
ENTRIES: tuple[Entry, ...] = (
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
