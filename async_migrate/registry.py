"""The codemods the tool knows, by the name users select them with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codemods.blocking import OffloadingCodemod
from codemods.common import AsyncCodemod
from codemods.http_clients import HttpCommand
from codemods.offload import OffloadCommand
from codemods.sleep import SleepCommand
from codemods.subprocess_calls import SubprocessCommand

# Order matters: codemods run one after the other on the same module, in this order.
CODEMODS: dict[str, type[AsyncCodemod]] = {
    SubprocessCommand.NAME: SubprocessCommand,
    HttpCommand.NAME: HttpCommand,
    SleepCommand.NAME: SleepCommand,
    # The fallback runs last: it offloads only what every codemod above left blocking.
    OffloadCommand.NAME: OffloadCommand,
}


class UnknownCodemod(ValueError):
    pass


def choose(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[AsyncCodemod]]:
    """The codemods to run: all of them, or those selected, minus those ignored."""
    select, ignore = list(select), list(ignore)
    for name in (*select, *ignore):
        if name not in CODEMODS:
            known = ", ".join(CODEMODS)
            raise UnknownCodemod(f"unknown codemod {name!r} (known: {known})")
    chosen = select or list(CODEMODS)
    return [CODEMODS[name] for name in CODEMODS if name in chosen and name not in ignore]


def offload_options(names: Iterable[str], offload: bool) -> dict[str, dict[str, Any]]:
    """Codemod options for ``--no-offload``: the codemods that offload blocking calls to
    a thread report them instead."""
    if offload:
        return {}
    return {n: {"offload": False} for n in names if issubclass(CODEMODS[n], OffloadingCodemod)}
