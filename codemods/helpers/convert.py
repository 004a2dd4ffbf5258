"""``helpers-mode = "async"``, before any codemod runs: the helpers the plan names become
``async def`` and their calls get ``await``, so that every codemod then migrates their
bodies as it migrates any coroutine (``time.sleep`` becomes ``await asyncio.sleep``).

The plan (see :mod:`codemods.helpers.planning`) comes in the codemod's options:
``convert``, the functions to make coroutines (module-relative qualified name, line,
message), and
``awaits``, the calls to await, each found by the function it is in, the callee as
written and how many calls to the same callee come before it there (as sites are), then
its line and what it calls (the helpers command reports each, AM655).
"""

from __future__ import annotations

from typing import Any


def converted(data: bytes, filename: str, options: dict[str, Any]) -> tuple[bytes, frozenset[str]]:
    """``data`` with the plan applied, and the functions made coroutines."""
    convert = frozenset(key[0] for key in options.get("convert") or ())
    awaits = frozenset((key[0], key[1], key[2]) for key in options.get("awaits") or ())
    if not convert and not awaits:
        return data, frozenset()
    from codemods.helpers.awaiting import apply  # libcst: only when there is a plan

    return apply(data, convert, awaits)
