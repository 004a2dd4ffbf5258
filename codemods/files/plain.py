"""What a plain file-system call (``os.*``, ``os.path.*``, ``shutil.*``, ``pathlib.Path``
methods, ``open`` and ``tempfile`` outside the forms the planner migrates) is, seen
through :class:`~codemods.core.lookups.Lookups`."""

from __future__ import annotations

import enum

import libcst as cst

from codemods.core.filesystem import AIOFILES_OS, AIOFILES_OS_PATH, PATH_TO_THREAD, TO_THREAD
from codemods.core.lookups import Lookups
from codemods.core.paths import is_constructed_path, is_path, lazy_call
from codemods.files import facts


class PlainCall(enum.Enum):
    """What becomes of a plain call in a coroutine."""

    UNBOUND = "unbound"  # a file opened without a name to await its uses through: reported
    UNPROVEN = "unproven"  # Path.open() on what may be a str: reported
    LAZY = "lazy"  # blocks while its result is iterated: reported
    AIOFILES = "aiofiles"  # -> await aiofiles.os.<same name>
    THREAD = "thread"  # -> await asyncio.to_thread(...)


def plain_call(lookups: Lookups, call: cst.Call) -> tuple[PlainCall | None, str]:
    """What ``call`` (original tree) is, and the name to show for it; (None, "") when it
    is none of the plain calls."""
    func = call.func
    name = lookups.resolves_to(func, facts.OPEN | set(facts.TEMPFILE))
    if name:
        return PlainCall.UNBOUND, name.replace("builtins.", "")
    name = lookups.resolves_to(func, AIOFILES_OS | AIOFILES_OS_PATH)
    if name:
        return PlainCall.AIOFILES, name
    name = lookups.resolves_to(func, TO_THREAD)
    if name:
        return PlainCall.THREAD, name
    name = lazy_call(lookups, call)
    if name:
        return PlainCall.LAZY, name
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in PATH_TO_THREAD | {"open"}:
            if is_path(lookups, func.value, allow_parameters=True):
                if method == "open":
                    if is_constructed_path(lookups, func.value):
                        return PlainCall.UNBOUND, "Path.open"
                    return PlainCall.UNPROVEN, "Path.open"
                return PlainCall.THREAD, f"Path.{method}"
    return None, ""
