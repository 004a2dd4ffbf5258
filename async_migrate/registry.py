"""The codemods the tool knows, by the name users select them with."""

from __future__ import annotations

from collections.abc import Iterable

from codemods.common import AsyncCodemod
from codemods.requests_aiohttp import RequestsCommand
from codemods.sleep import SleepCommand

# Order matters: codemods run one after the other on the same module, in this order.
# ``sleep`` stays last: retry loops mix requests and time.sleep, and both apply in one run.
CODEMODS: dict[str, type[AsyncCodemod]] = {
    RequestsCommand.NAME: RequestsCommand,
    SleepCommand.NAME: SleepCommand,
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
