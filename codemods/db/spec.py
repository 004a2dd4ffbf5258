"""The ``db`` codemod's declaration: sqlite3 / psycopg2 / pymysql -> their asyncio drivers."""

from __future__ import annotations

from codemods.core.explanations import explained
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets
from codemods.db.drivers import PREFILTER

#: Each code's example (``--explain``; tests/test_examples.py runs them).
_EXAMPLES: dict[str, Example] = {
    "AM702": Example(
        before="""\
import psycopg2


async def count(dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM items")
        return cur.fetchone()[0]
    finally:
        conn.close()
""",
        after="""\
import psycopg


async def count(dsn):
    conn = await psycopg.AsyncConnection.connect(dsn, cursor_factory=psycopg.AsyncClientCursor)
    try:
        cur = conn.cursor()
        await cur.execute("SELECT count(*) FROM items")
        return (await cur.fetchone())[0]
    finally:
        await conn.close()
""",
    ),
    "AM703": Example(
        before="""\
import pymysql


async def count(host):
    conn = pymysql.connect(host=host, user="app", database="shop")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM items")
            return cur.fetchone()[0]
    finally:
        conn.close()
""",
        after="""\
import aiomysql


async def count(host):
    conn = await aiomysql.connect(host=host, user="app", db="shop")
    try:
        async with conn.cursor() as cur:
            await cur.execute("SELECT count(*) FROM items")
            return (await cur.fetchone())[0]
    finally:
        await conn.ensure_closed()
""",
    ),
    "AM710": Example(
        before="""\
import sqlite3


async def open_db(path):
    conn = sqlite3.connect(path)
    return conn
"""
    ),
    "AM711": Example(
        before="""\
import sqlite3


async def dump(path):
    conn = sqlite3.connect(path)
    lines = list(conn.iterdump())
    conn.close()
    return lines
"""
    ),
    "AM712": Example(
        before="""\
import sqlite3


async def open_and_close(path, **options):
    conn = sqlite3.connect(path, **options)
    conn.close()
"""
    ),
    "AM713": Example(
        before="""\
import psycopg2


async def names(dsn, ids):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT name FROM items WHERE id IN %s", (tuple(ids),))
    return cur.fetchall()
"""
    ),
    "AM714": Example(
        before="""\
import sqlite3


async def first_new(path, names):
    with sqlite3.connect(path) as conn:
        for name in names:
            if not conn.execute("SELECT 1 FROM items WHERE name = ?", (name,)).fetchone():
                conn.execute("INSERT INTO items (name) VALUES (?)", (name,))
                return name
"""
    ),
    "AM715": Example(
        before="""\
import sqlite3


async def either(path, other):
    conn = sqlite3.connect(path)
    if other is not None:
        conn = other
    conn.execute("SELECT 1")
    conn.close()
"""
    ),
    "AM716": Example(
        before="""\
import psycopg2


async def message(dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1/0")
    except psycopg2.DataError as e:
        return e.pgerror
    finally:
        conn.close()
"""
    ),
    "AM717": Example(
        before="""\
import sqlite3


async def load(path, aiosqlite):
    conn = sqlite3.connect(path)
    conn.execute("SELECT 1")
    conn.close()
"""
    ),
    "AM718": Example(
        before="""\
import sqlite3
import threading

lock = threading.Lock()


async def insert(path):
    conn = sqlite3.connect(path)
    with lock:
        conn.execute("INSERT INTO items (name) VALUES ('x')")
    conn.commit()
    conn.close()
"""
    ),
    "AM719": Example(
        before="""\
import sqlite3


async def first(path):
    return sqlite3.connect(path).execute("SELECT 1").fetchone()
"""
    ),
    "AM720": Example(
        before="""\
import MySQLdb


async def rows(host):
    conn = MySQLdb.connect(host=host, db="shop")
    cur = conn.cursor()
    cur.execute("SELECT name FROM items")
    return cur.fetchall()
"""
    ),
}


def _code(
    code: str, severity: Severity, summary: str, why: str, example: Example | None = None
) -> Code:
    """A code whose explanation is ``why`` wrapped at 88 columns (``--explain`` adds how to
    silence it), with its example."""
    return Code(code, severity, summary, explained(why), example or _EXAMPLES[code])


_KEEP = (
    "A connection is migrated only when every use of it and of its cursors is in the "
    "coroutine that opens it and has a faithful async form; otherwise nothing of it is "
    "changed and this finding says why, at the call that opens it."
)

SPEC = CodemodSpec(
    name="db",
    owns=("database",),
    description="sqlite3 / psycopg2 / pymysql in a coroutine -> aiosqlite / psycopg 3 / aiomysql",
    command="codemods.db.command:DbCommand",
    codes=(
        _code(
            "AM701",
            Severity.REWRITE,
            "sqlite3 connection rewritten to aiosqlite (connect, calls awaited, "
            "`with conn:` as explicit commit/rollback)",
            "sqlite3 runs every query on the event loop's thread. aiosqlite runs the same "
            "sqlite3 calls on a thread of its own: `await aiosqlite.connect(p)`, and "
            "execute, executemany, executescript, commit, rollback, close, cursor and the "
            "fetch methods awaited; `for row in cur` becomes `async for`. Rows, lastrowid, "
            "rowcount, description and the exception classes are sqlite3's own. "
            "`with sqlite3.connect(p) as conn:` commits or rolls back and does not close, "
            "while `async with aiosqlite.connect(p)` closes and does not commit: the "
            "rewrite commits explicitly (and rolls back on an exception when the connection "
            "is used afterwards). aiosqlite must be closed, or its thread outlives the "
            "event loop: a connection never closed is closed after its last use, by "
            "`async with`.",
            Example(
                "import sqlite3\n\n\nasync def count(path):\n"
                "    conn = sqlite3.connect(path)\n"
                "    try:\n"
                "        return conn.execute('SELECT count(*) FROM t').fetchone()[0]\n"
                "    finally:\n"
                "        conn.close()\n",
                "import aiosqlite\n\n\nasync def count(path):\n"
                "    conn = await aiosqlite.connect(path)\n"
                "    try:\n"
                "        return (await (await conn.execute('SELECT count(*) FROM t'))"
                ".fetchone())[0]\n"
                "    finally:\n"
                "        await conn.close()\n",
            ),
        ),
        _code(
            "AM702",
            Severity.REWRITE,
            "psycopg2 connection rewritten to psycopg 3's AsyncConnection, with client-side "
            "binding as in psycopg2",
            "psycopg2 blocks the event loop on every query. psycopg 3's AsyncConnection is "
            "the same API, awaited: `await psycopg.AsyncConnection.connect(dsn, "
            "cursor_factory=psycopg.AsyncClientCursor)`. The client-side cursor keeps "
            "psycopg2's parameter binding, so `SET x = %s`, `NOTIFY`, DDL with parameters "
            "and float parameters behave as before (server-side binding fails or changes "
            "them). `with conn:` in psycopg2 is a transaction that leaves the connection "
            "open; psycopg 3's `async with conn` closes it, so the rewrite commits and "
            "rolls back explicitly unless the connection is not used after the block. "
            "RealDictCursor becomes `row_factory=dict_row`, NamedTupleCursor "
            "`namedtuple_row`, and `except psycopg2.X` around migrated calls `except "
            "psycopg.X`. Some types load differently (bytea as bytes, uuid as UUID, inet as "
            "ipaddress objects): see docs/codemods/db.md.",
        ),
        _code(
            "AM703",
            Severity.REWRITE,
            "pymysql connection rewritten to aiomysql (database= as db=, cursors and "
            "queries awaited, close as ensure_closed)",
            "pymysql blocks the event loop on every query. aiomysql is its asyncio port: "
            "`await aiomysql.connect(...)` (which takes `db=`, not `database=`), "
            "`await conn.cursor()` or `async with conn.cursor() as cur`, execute and the "
            "fetch methods awaited, `await conn.ensure_closed()` for `conn.close()` (which "
            "sends QUIT before closing, as pymysql's close does; aiomysql's own close() "
            "drops the socket). The exception classes are pymysql's own, and autocommit is "
            "off by default in both.",
        ),
        _code(
            "AM710",
            Severity.FINDING,
            "connection or cursor escapes the coroutine (returned, stored, passed on, used "
            "in a nested function)",
            "Callers, other functions and nested functions would go on using the object "
            "synchronously, and the async driver's methods return awaitables. " + _KEEP,
        ),
        _code(
            "AM711",
            Severity.FINDING,
            "connection or cursor used in a way the codemod does not model (a method or "
            "attribute with no faithful async twin)",
            "The message names the method or attribute and why (psycopg 3 has no lastrowid "
            "or callproc; aiosqlite cannot set isolation_level from the event loop's "
            "thread; ...). " + _KEEP,
        ),
        _code(
            "AM712",
            Severity.FINDING,
            "connect arguments that cannot be carried over (unknown keyword, `*args`/`**kwargs`, "
            "custom connection or cursor classes)",
            "The async driver must receive the same settings: a keyword it does not take "
            "would raise TypeError, and `**kwargs` cannot be checked. " + _KEEP,
        ),
        _code(
            "AM713",
            Severity.FINDING,
            "psycopg2 query psycopg 3 would run differently (`IN %s` with a tuple, several "
            "statements in one execute)",
            "Even with client-side binding, psycopg 3 adapts a tuple as one value, so "
            "`IN %s` fails (use `= ANY(%s)` with a list), and after several statements in "
            "one execute its cursor holds the first statement's result where psycopg2's "
            "held the last one's. " + _KEEP,
        ),
        _code(
            "AM714",
            Severity.FINDING,
            "commit, rollback or close cannot be placed faithfully (a transaction block left "
            "by return/break/continue, a connection never closed used across blocks)",
            "A `with conn:` transaction commits when its block is left in any way; the "
            "rewrite puts the commit at the end of the block (or before a final return), "
            "so other exits are refused. An aiosqlite connection must be closed: one the "
            "original never closes is closed after its last use, which must be in the "
            "block that opens it. " + _KEEP,
        ),
        _code(
            "AM715",
            Severity.FINDING,
            "connection or cursor name also bound to something else (or global, nonlocal)",
            "The codemod follows a connection by its name; a name that may also hold "
            "something else cannot be migrated. " + _KEEP,
        ),
        _code(
            "AM716",
            Severity.FINDING,
            "except clause or exception attribute with no faithful twin in the async driver",
            "psycopg 3 raises its own classes: `except psycopg2.X` around migrated calls is "
            "rewritten to psycopg's class, but a class with no twin, an except clause that "
            "also guards an unmigrated psycopg2 connection, or `e.pgerror` (absent in "
            "psycopg 3) is refused. " + _KEEP,
        ),
        _code(
            "AM717",
            Severity.FINDING,
            "a name the rewrite needs (aiosqlite, psycopg, aiomysql, dict_row) is bound to "
            "something else",
            "The rewrite refers to the async driver's module by its name. " + _KEEP,
        ),
        _code(
            "AM718",
            Severity.FINDING,
            "connection left unchanged because one of its uses runs under a thread lock or "
            "is silenced by a suppression comment",
            "Awaiting under `with <thread lock>:` would hold the lock across the await "
            "(a deadlock when another coroutine waits for it); a connection is migrated "
            "whole, so one silenced use keeps all of it. " + _KEEP,
        ),
        _code(
            "AM719",
            Severity.FINDING,
            "connect call the codemod cannot follow (not bound to a name, in a generator "
            "expression or comprehension)",
            "The codemod follows a connection by the name it is bound to, and migrates it "
            "only when it can see every use: a connection used at once "
            "(`sqlite3.connect(p).execute(...)`) or made in a generator expression or "
            "comprehension has no name to follow. Bind the connection with "
            "`conn = ...connect(...)` or `with ...connect(...) as conn:` in the coroutine so "
            "that each use can be migrated.",
        ),
        _code(
            "AM720",
            Severity.FINDING,
            "MySQLdb (mysqlclient) connection in a coroutine: blocks, not migrated",
            "MySQLdb blocks the event loop on every query. It is not migrated to aiomysql: "
            "MySQLdb raises its own exception classes (aiomysql raises pymysql's), so every "
            "except clause would change meaning, and its behaviour is not checked by this "
            "project's tests. Move the coroutine to aiomysql by hand, or to pymysql (whose "
            "connections this codemod migrates) and rerun.",
        ),
    ),
    targets=Targets(
        tokens=(b"sqlite3", b"psycopg2", b"pymysql", b"MySQLdb"),
        names=PREFILTER,
    ),
)
