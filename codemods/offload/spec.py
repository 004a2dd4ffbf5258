"""The ``offload`` codemod, declared: a blocking call in a coroutine -> await
asyncio.to_thread(func, *args)."""

from __future__ import annotations

from codemods.core.catalogue import Family, blocking_targets
from codemods.core.explanations import explained, offloading_off
from codemods.core.spec import Code, CodemodSpec, Example, Severity

_WHY = """Why it blocks: input(), open() and file methods, os.path queries, requests and
the other calls ruff's and flake8-async's blocking-call rules flag wait in the event
loop's thread, and no other task runs meanwhile."""

AM601 = Code(
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
    explanation=explained(
        _WHY,
        """What the rewrite does: a blocking call that no earlier codemod rewrote runs in
        the loop's default thread pool, `await asyncio.to_thread(func, *args, **kwargs)`.
        The callee and the arguments are evaluated in the coroutine in the same order as
        before, and the call returns or raises the same. Calls already awaited are left
        alone.""",
        """Limits: changes the call makes to context variables stay in the thread's copy;
        at most min(32, cores + 4) such calls run at once; on Ctrl-C, asyncio.run waits
        for a call still running in a thread (input() waits for a line).""",
    ),
    example=Example(
        before="""\
async def ask(prompt):
    answer = input(prompt)
    return answer.strip()
""",
        after="""\
import asyncio

async def ask(prompt):
    answer = await asyncio.to_thread(input, prompt)
    return answer.strip()
""",
    ),
)

AM602 = Code(
    "AM602",
    Severity.FINDING,
    "a blocking call left as is because offloading is off (--no-offload)",
    explanation=explained(_WHY, *offloading_off("blocking")),
    example=Example(
        before="""\
async def ask(prompt):
    answer = input(prompt)
    return answer.strip()
""",
        options={"offload": False},
    ),
)

AM603 = Code(
    "AM603",
    Severity.FINDING,
    "a blocking call on an object bound to its thread or unsafe to hand to another "
    "(sqlite3, SQLAlchemy, RLock.acquire, boto3 resources and sessions); use the "
    "async library named",
    explanation=explained(
        _WHY,
        """Why it is refused: the object may only be used in the thread that made it, or is
        not safe to hand from one thread to another, and asyncio.to_thread may run each
        call in a different thread of the pool: a sqlite3 connection and its cursors,
        SQLAlchemy sessions, connections and engines, boto3 resources and sessions; and
        RLock.acquire, whose lock belongs to the thread that took it.""",
        """What to do: use what the message names (aiosqlite, sqlalchemy.ext.asyncio, a
        boto3 client whose calls can be offloaded, asyncio.Lock), or move all the work with
        the object into one sync function and run that with `await
        asyncio.to_thread(...)`.""",
    ),
    example=Example(
        before="""\
import sqlite3


async def count(db_path):
    conn = sqlite3.connect(db_path)
    return conn.execute("select count(*) from items").fetchone()[0]
"""
    ),
)

AM604 = Code(
    "AM604",
    Severity.FINDING,
    "a blocking call that cannot be offloaded here (generator expression, asyncio "
    "shadowed, a stream read later)",
    explanation=explained(
        _WHY,
        """Why it is refused: the call is inside a generator expression in a coroutine,
        or inside `with <thread lock>:` in a coroutine, or asyncio is bound to something
        else there, or it is an httpx stream whose body is read later, or it makes a file
        that is then read on the spot (`json.load(open(p))`, iterated, returned); or it is
        awaited by mistake (`await open(p)`: it blocks, then the await raises TypeError).""",
        """What to do: use a loop instead of the generator expression, move the call out
        of the lock's block (or use an asyncio.Lock), rename the other binding, move the
        reading into a function run with asyncio.to_thread, or drop the stray await;
        then rerun.""",
    ),
    example=Example(
        before="""\
async def load(path):
    return await open(path)
"""
    ),
)

AM605 = Code(
    "AM605",
    Severity.FINDING,
    "a blocking call that offloading would not fix (a cursor or generator read "
    "later, a blocking socket, a redis-py lock or pub/sub, a with block whose exit "
    "blocks, a requests.Session made outside the coroutine): use the async API named",
    explanation=explained(
        _WHY,
        """Why it is refused: offloading one call moves only that call to a thread. A
        pymongo cursor, an FTP listing generator or redis-py's scan_iter do their I/O
        later, while the coroutine iterates them; smtplib's and ftplib's `with` blocks
        send QUIT when left; a blocking socket is better replaced by asyncio's
        streams; a requests.Session made outside the coroutine is shared, and offloaded
        calls would use it from several threads at once, which requests does not promise
        to bear.""",
        """What to do: use the async form the message names (pymongo's AsyncMongoClient,
        redis.asyncio, asyncio.open_connection, one aiohttp.ClientSession, ...), or move
        the whole loop or block into one sync function run with `await asyncio.to_thread`.""",
    ),
    example=Example(
        before="""\
import socket


async def ping(host, port):
    sock = socket.create_connection((host, port), timeout=5)
    sock.sendall(b"PING\\r\\n")
    return sock.recv(64)
"""
    ),
)

#: The blocking calls it handles (its command's ``FAMILIES``): every family.
FAMILIES = frozenset(
    {
        Family.REQUESTS,
        Family.HTTP,
        Family.SUBPROCESS,
        Family.FILES,
        Family.INPUT,
        Family.SLEEP,
        Family.DATABASE,
        Family.REDIS,
        Family.NETWORK,
        Family.THREADS,
    }
)

SPEC = CodemodSpec(
    name="offload",
    description="a blocking call in a coroutine -> await asyncio.to_thread(func, *args)",
    command="codemods.offload.command:OffloadCommand",
    codes=(AM601, AM602, AM603, AM604, AM605),
    offloads=True,
    # Calls the fallback handles can be spelled many ways (os.system, os.path, from os
    # import ..., file objects known from annotations): sound, if broad. It rewrites and
    # reports calls only: a blocking function passed along uncalled is none of its work.
    targets=blocking_targets(
        FAMILIES,
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
        calls_only=True,
        method_calls_only=True,
        # it reads an object's kind with ``kinds.kind_of``: never from a call's arguments
        objects_from_arguments=False,
    ),
)
