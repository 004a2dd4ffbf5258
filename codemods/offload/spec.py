"""The ``offload`` codemod, declared: a blocking call in a coroutine -> await
asyncio.to_thread(func, *args)."""

from __future__ import annotations

from codemods.core.catalogue import (
    DATABASE,
    FILES,
    HTTP,
    INPUT,
    REQUESTS,
    SLEEP,
    SUBPROCESS,
    blocking_targets,
)
from codemods.core.spec import Code, CodemodSpec, Severity

SPEC = CodemodSpec(
    name="offload",
    description="a blocking call in a coroutine -> await asyncio.to_thread(func, *args)",
    command="codemods.offload.command:OffloadCommand",
    codes=(
        Code(
            "AM601",
            Severity.REWRITE,
            "a blocking call offloaded to a thread: await asyncio.to_thread(func, *args)",
            ruff=(
                "ASYNC210",
                "ASYNC211",
                "ASYNC212",
                "ASYNC220",
                "ASYNC221",
                "ASYNC222",
                "ASYNC230",
                "ASYNC231",
                "ASYNC232",
                "ASYNC240",
                "ASYNC250",
                "ASYNC251",
            ),
        ),
        Code(
            "AM602",
            Severity.FINDING,
            "a blocking call left as is because offloading is off (--no-offload)",
        ),
        Code(
            "AM603",
            Severity.FINDING,
            "a blocking call on an object bound to its thread (sqlite3); use an async driver",
        ),
        Code(
            "AM604",
            Severity.FINDING,
            "a blocking call that cannot be offloaded here (generator expression, asyncio "
            "shadowed, a stream read later)",
        ),
    ),
    offloads=True,
    # Calls the fallback handles can be spelled many ways (os.system, os.path, from os
    # import ..., file objects known from annotations): sound, if broad.
    targets=blocking_targets(
        {REQUESTS, HTTP, SUBPROCESS, FILES, INPUT, SLEEP, DATABASE},
        (
            b"open",
            b"input",
            b"sleep",
            b"path",
            b"request",
            b"httpx",
            b"urllib",
            b"subprocess",
            b"os",
            b"sqlite3",
            b"IO",
            b"Buffered",
            b"Client",
            b"Pool",
        ),
    ),
)
