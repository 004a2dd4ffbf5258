"""The ``offload`` codemod, declared: a blocking call in a coroutine -> await
asyncio.to_thread(func, *args)."""

from __future__ import annotations

from codemods.core.catalogue import (
    DATABASE,
    FILES,
    HTTP,
    INPUT,
    NETWORK,
    REDIS,
    REQUESTS,
    SLEEP,
    SUBPROCESS,
    THREADS,
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
            "a blocking call on an object bound to its thread or unsafe to hand to another "
            "(sqlite3, SQLAlchemy, RLock.acquire, boto3 resources and sessions); use the "
            "async library named",
        ),
        Code(
            "AM604",
            Severity.FINDING,
            "a blocking call that cannot be offloaded here (generator expression, asyncio "
            "shadowed, a stream read later)",
        ),
        Code(
            "AM605",
            Severity.FINDING,
            "a blocking call that offloading would not fix (a cursor or generator read "
            "later, a blocking socket, a redis-py lock or pub/sub, a with block whose exit "
            "blocks): use the async API named",
            explanation="Offloading one call moves only that call to a thread. A pymongo "
            "cursor, an FTP listing generator or redis-py's scan_iter do their I/O later, "
            "while the coroutine iterates them; smtplib's and ftplib's 'with' blocks send "
            "QUIT when left; a blocking socket is better replaced by asyncio's streams. "
            "The message names the async form to use.",
        ),
    ),
    offloads=True,
    # Calls the fallback handles can be spelled many ways (os.system, os.path, from os
    # import ..., file objects known from annotations): sound, if broad.
    targets=blocking_targets(
        {REQUESTS, HTTP, SUBPROCESS, FILES, INPUT, SLEEP, DATABASE, REDIS, NETWORK, THREADS},
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
            # network clients and waits on other threads (the catalogue's kinds)
            b"redis",
            b"mongo",
            b"smtplib",
            b"ftplib",
            b"http",
            b"boto3",
            b"paramiko",
            b"socket",
            b"threading",
            b"queue",
            b"concurrent",
            b"sqlalchemy",
        ),
    ),
)
