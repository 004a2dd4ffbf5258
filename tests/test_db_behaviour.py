"""Migrated database code gives what the original gave, against real databases.

Each module below runs twice, as written and as migrated by the whole tool, on its own
fresh database (sqlite: a temp file; PostgreSQL: a schema; MariaDB: a database) of the
same real server: the same calls must return the same values or raise the same
exceptions, and leave the same rows committed (read back through a connection of the
sync driver). Then several coroutines each running a slow query finish in about the time
of one after the migration, and not before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import types
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from async_migrate import migrate_source
from tests.behaviour import load, with_heartbeat
from tests.servers import MariaDB, Postgres

Call = tuple[str, tuple[Any, ...]]


def migrated(source: str, name: str) -> tuple[types.ModuleType, types.ModuleType]:
    """The module as written and as migrated; the migration must leave nothing to do."""
    result = migrate_source(source)
    assert result.changed
    assert result.left == [], [str(f) for f in result.left]
    assert not [f for f in result.rewrites if not f.code.startswith("AM7")], result.rewrites
    return load(source, f"{name}_original"), load(result.code, f"{name}_migrated")


def outcomes(module: types.ModuleType, calls: list[Call], *first: Any) -> list[Any]:
    """What each call returned, or the exception it raised (type and message)."""

    async def run() -> list[Any]:
        out: list[Any] = []
        for name, args in calls:
            try:
                out.append(("ok", await getattr(module, name)(*first, *args)))
            except Exception as e:  # compared, not hidden
                out.append(("raised", type(e).__module__, type(e).__name__, str(e)))
        return out

    return asyncio.run(run())


def elapsed(run: Callable[[], Coroutine[Any, Any, Any]]) -> float:
    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start


def four_at_once(function: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> float:
    async def run() -> None:
        await asyncio.gather(*(function(*args) for _ in range(4)))

    return elapsed(run)


# -- sqlite3 -> aiosqlite ---------------------------------------------------------------

SQLITE = """
import sqlite3


async def setup(path):
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INTEGER);"
            "INSERT INTO items (name, qty) VALUES ('apple', 3), ('pear', 5);"
        )


async def add(path, name, qty):
    with sqlite3.connect(path) as conn:
        cur = conn.execute("INSERT INTO items (name, qty) VALUES (?, ?)", (name, qty))
        return cur.lastrowid


async def add_many(path, rows):
    conn = sqlite3.connect(path)
    try:
        with conn:
            cur = conn.executemany("INSERT INTO items (name, qty) VALUES (?, ?)", rows)
        return cur.rowcount
    finally:
        conn.close()


async def add_twice(path, name):
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("INSERT INTO items (name, qty) VALUES ('rolled back', 1)")
            conn.execute("INSERT INTO items (name, qty) VALUES (:name, 0)", {"name": name})
        return "added"
    except sqlite3.IntegrityError as e:
        return f"integrity: {e}"
    finally:
        conn.close()


async def rows(path):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    cur = conn.cursor()
    cur.execute("SELECT name, qty FROM items ORDER BY id")
    first = cur.fetchmany(2)
    rest = [tuple(row) for row in cur]
    names = [d[0] for d in cur.description]
    total = 0
    for row in conn.execute("SELECT qty FROM items"):
        total += row["qty"]
    return [tuple(row) for row in first], rest, names, total


async def uncommitted(path):
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO items (name, qty) VALUES ('lost', 0)")
    pending = conn.in_transaction, conn.total_changes
    conn.close()
    return pending


async def add_then_count(path, name):
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO items (name, qty) VALUES (?, 7)", (name,))
    return conn.execute("SELECT count(*) FROM items").fetchone()[0]


async def failing(path):
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO items (name, qty) VALUES ('never', 0)")
        conn.execute("SELECT * FROM missing")


async def per_file(paths):
    counts = []
    for path in paths:
        conn = sqlite3.connect(path, timeout=2)
        counts.append(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    return counts


async def slow(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500000)"
            " SELECT count(*) FROM n"
        ).fetchone()[0]
    finally:
        conn.close()
"""

SQLITE_CALLS: list[Call] = [
    ("setup", ()),
    ("add", ("plum", 2)),
    ("add", ("plum", 9)),
    ("add_many", ([("fig", 1), ("kiwi", 4)],)),
    ("add_twice", ("apple",)),
    ("add_twice", ("cherry",)),
    ("rows", ()),
    ("uncommitted", ()),
    ("add_then_count", ("lime",)),
    ("failing", ()),
    ("rows", ()),
]


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_sqlite_same_results_and_same_committed_rows(tmp_path: Path) -> None:
    original, migrated_module = migrated(SQLITE, "sqlite_app")
    results, dumps = [], []
    for module in (original, migrated_module):
        path = tmp_path / f"{module.__name__}.db"
        results.append(outcomes(module, SQLITE_CALLS, str(path)))
        dumps.append(_dump(path))
    assert results[0] == results[1]
    assert dumps[0] == dumps[1]
    kinds = [r[0] for r in results[0]]
    # the duplicate, the failing transaction: both paths are exercised
    assert kinds.count("raised") == 2 and results[0][4] == (
        "ok",
        "integrity: UNIQUE constraint failed: items.name",
    )
    assert not any("'never'" in line or "'lost'" in line for line in dumps[0])
    assert any("'lime'" in line for line in dumps[0])


def test_sqlite_connection_per_iteration(tmp_path: Path) -> None:
    original, migrated_module = migrated(SQLITE, "sqlite_loop")
    paths = []
    for n in range(3):
        path = tmp_path / f"{n}.db"
        asyncio.run(original.setup(str(path)))
        paths.append(str(path))
    assert asyncio.run(original.per_file(paths)) == asyncio.run(migrated_module.per_file(paths))


@pytest.mark.timing
def test_sqlite_query_no_longer_blocks_the_loop(tmp_path: Path) -> None:
    original, migrated_module = migrated(SQLITE, "sqlite_slow")
    path = str(tmp_path / "slow.db")
    before, before_ticks = asyncio.run(with_heartbeat(lambda: original.slow(path)))
    after, after_ticks = asyncio.run(with_heartbeat(lambda: migrated_module.slow(path)))
    assert before == after == 1_500_000
    assert before_ticks <= 2, before_ticks
    assert after_ticks >= 5, after_ticks


# -- psycopg2 -> psycopg 3 ------------------------------------------------------------------

PSYCOPG = """
import psycopg2
import psycopg2.extras


async def setup(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(
        "CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE, qty int DEFAULT %s)",
        (1,),
    )
    cur.execute("INSERT INTO items (name) VALUES (%s), (%s)", ("apple", "pear"))
    conn.close()


async def insert(dsn, name, qty):
    conn = psycopg2.connect(dsn)
    try:
        with conn:
            with conn.cursor() as cur:
                cur.execute(
                    "INSERT INTO items (name, qty) VALUES (%s, %s) RETURNING id", (name, qty)
                )
                return cur.fetchone()[0] > 0
    except psycopg2.IntegrityError:
        return False
    finally:
        conn.close()


async def report(dsn):
    with psycopg2.connect(dsn) as conn:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute("SELECT name, qty FROM items ORDER BY id")
            rows = cur.fetchall()
            return rows, cur.rowcount, [d[0] for d in cur.description]


async def settings(dsn, name):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SET application_name = %s", (name,))
    cur.execute("SHOW application_name")
    shown = cur.fetchone()[0]
    cur.execute("SELECT %(n)s, %(n)s::text", {"n": 1.5})
    conn.close()
    return shown


async def values(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT %s, %s, %s, %s", (1.5, None, [1, 2], "text"))
    row = cur.fetchone()
    cur.execute("NOTIFY items_changed, %s", ("payload",))
    conn.close()
    return row


async def rename(dsn, old, new):
    conn = psycopg2.connect(dsn)
    try:
        with conn:
            cur = conn.cursor()
            cur.execute("UPDATE items SET qty = qty + 1")
            cur.execute("UPDATE items SET name = %s WHERE name = %s", (new, old))
    except psycopg2.errors.UniqueViolation as e:
        return "duplicate", e.pgcode
    finally:
        conn.close()
    return "renamed", cur.rowcount


async def uncommitted(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("INSERT INTO items (name, qty) VALUES ('lost', 0)")
    conn.close()


async def names(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT name FROM items ORDER BY name")
    found = [row[0] for row in cur]
    cur.execute("SELECT * FROM missing")
    return found


async def slow(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT pg_sleep(0.3)")
    conn.close()
"""

PSYCOPG_CALLS: list[Call] = [
    ("setup", ()),
    ("insert", ("plum", 2)),
    ("insert", ("plum", 3)),
    ("report", ()),
    ("settings", ("migrated-app",)),
    ("values", ()),
    ("rename", ("plum", "apple")),
    ("rename", ("plum", "fig")),
    ("uncommitted", ()),
    ("names", ()),
    ("report", ()),
]


def _schema_dsn(server: Postgres, schema: str) -> str:
    import psycopg2

    with psycopg2.connect(server.dsn) as conn:
        conn.autocommit = True
        conn.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    conn.close()
    return f"{server.dsn} options='-c search_path={schema}'"


def _committed_pg(dsn: str) -> list[tuple[Any, ...]]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("SELECT id, name, qty FROM items ORDER BY id")
        return cur.fetchall()
    finally:
        conn.close()


def _as_psycopg(outcome: Any) -> Any:
    if outcome[0] != "raised":
        return outcome
    _, module, name, message = outcome
    return ("raised", module.replace("psycopg2", "psycopg"), name, message.rstrip("\n"))


def test_psycopg_same_results_and_same_committed_rows(postgres_server: Postgres) -> None:
    original, migrated_module = migrated(PSYCOPG, "psycopg_app")
    results, committed = [], []
    for module in (original, migrated_module):
        dsn = _schema_dsn(postgres_server, "shop")  # the same name: it shows in messages
        results.append(outcomes(module, PSYCOPG_CALLS, dsn))
        committed.append(_committed_pg(dsn))
    before, after = results
    # psycopg2's RealDictRow and psycopg's dict compare equal, row for row; exceptions
    # are psycopg's twins of psycopg2's classes, their messages without the final newline
    assert [_as_psycopg(o) for o in before] == after
    assert committed[0] == committed[1]
    assert before[2] == ("ok", False) and before[6] == ("ok", ("duplicate", "23505"))
    assert before[4] == ("ok", "migrated-app")
    assert before[5] == ("ok", (__import__("decimal").Decimal("1.5"), None, [1, 2], "text"))
    # the missing table: psycopg2's exception, then psycopg's, with the same message
    assert before[9][:3] == ("raised", "psycopg2.errors", "UndefinedTable")
    assert after[9][:3] == ("raised", "psycopg.errors", "UndefinedTable")
    assert [name for _, name, _ in committed[0]] == ["apple", "pear", "fig"]


@pytest.mark.timing
def test_psycopg_queries_run_concurrently(postgres_server: Postgres) -> None:
    original, migrated_module = migrated(PSYCOPG, "psycopg_slow")
    before = four_at_once(original.slow, postgres_server.dsn)
    after = four_at_once(migrated_module.slow, postgres_server.dsn)
    assert before >= 1.2
    assert after <= 0.6 * before, (before, after)
    print(f"psycopg: 4 x pg_sleep(0.3): {before:.2f} s -> {after:.2f} s ({after / before:.2f})")


# -- pymysql -> aiomysql ----------------------------------------------------------------------

PYMYSQL = """
import pymysql
import pymysql.cursors


async def setup(host, port, db):
    with pymysql.connect(host=host, port=port, user="root", database=db) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY,"
                " name VARCHAR(50) UNIQUE, qty INT) ENGINE=InnoDB"
            )
            cur.execute("INSERT INTO items (name, qty) VALUES (%s, %s)", ("caf\\u00e9", 3))
        conn.commit()


async def add(host, port, db, name, qty):
    conn = pymysql.connect(host=host, port=port, user="root", database=db)
    try:
        cur = conn.cursor()
        cur.execute("INSERT INTO items (name, qty) VALUES (%s, %s)", (name, qty))
        conn.commit()
        return cur.lastrowid, cur.rowcount
    except pymysql.IntegrityError as e:
        conn.rollback()
        return "duplicate", e.args[0]
    finally:
        conn.close()


async def rows(host, port, db):
    conn = pymysql.connect(
        host=host, port=port, user="root", db=db, cursorclass=pymysql.cursors.DictCursor
    )
    with conn.cursor() as cur:
        cur.execute("SELECT name, qty FROM items ORDER BY id")
        first = cur.fetchone()
        rest = [row for row in cur]
    conn.close()
    return first, rest


async def uncommitted(host, port, db):
    with pymysql.connect(host=host, port=port, user="root", database=db) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO items (name, qty) VALUES ('lost', 0)")
        return conn.get_autocommit(), cur.rowcount


async def broken(host, port, db):
    conn = pymysql.connect(host=host, port=port, user="root", database=db)
    cur = conn.cursor(pymysql.cursors.DictCursor)
    try:
        cur.execute("SELECT * FROM missing")
    finally:
        conn.close()


async def slow(host, port, db):
    conn = pymysql.connect(host=host, port=port, user="root", database=db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT SLEEP(0.3)")
            return cur.fetchall()
    finally:
        conn.close()
"""

PYMYSQL_CALLS: list[Call] = [
    ("setup", ()),
    ("add", ("plum", 2)),
    ("add", ("plum", 5)),
    ("rows", ()),
    ("uncommitted", ()),
    ("broken", ()),
    ("rows", ()),
]


def _database(server: MariaDB, name: str) -> str:
    import pymysql

    conn = pymysql.connect(host=server.host, port=server.port, user=server.user)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
            cur.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    finally:
        conn.close()
    return name


def _committed_mysql(server: MariaDB, db: str) -> tuple[tuple[Any, ...], ...]:
    import pymysql

    conn = pymysql.connect(host=server.host, port=server.port, user=server.user, database=db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, name, qty FROM items ORDER BY id")
            return cur.fetchall()
    finally:
        conn.close()


def test_pymysql_same_results_and_same_committed_rows(mariadb_server: MariaDB) -> None:
    original, migrated_module = migrated(PYMYSQL, "my_app")
    results, committed = [], []
    for module in (original, migrated_module):
        db = _database(mariadb_server, "shop")  # the same name: it shows in messages
        server = (mariadb_server.host, mariadb_server.port, db)
        results.append(outcomes(module, PYMYSQL_CALLS, *server))
        committed.append(_committed_mysql(mariadb_server, db))
    before, after = results
    assert before == after
    assert committed[0] == committed[1]
    assert before[2] == ("ok", ("duplicate", 1062))
    assert before[3][1][0] == {"name": "caf\u00e9", "qty": 3}
    assert before[4] == ("ok", (False, 1))
    assert before[5][:3] == ("raised", "pymysql.err", "ProgrammingError")
    assert [name for _, name, _ in committed[0]] == ["caf\u00e9", "plum"]


@pytest.mark.timing
def test_pymysql_queries_run_concurrently(mariadb_server: MariaDB) -> None:
    original, migrated_module = migrated(PYMYSQL, "my_slow")
    server = (mariadb_server.host, mariadb_server.port, mariadb_server.db)
    before = four_at_once(original.slow, *server)
    after = four_at_once(migrated_module.slow, *server)
    assert before >= 1.2
    assert after <= 0.6 * before, (before, after)
    print(f"aiomysql: 4 x SLEEP(0.3): {before:.2f} s -> {after:.2f} s ({after / before:.2f})")


@pytest.mark.parametrize("source", [SQLITE, PSYCOPG, PYMYSQL], ids=["sqlite", "psycopg", "pymysql"])
def test_second_run_changes_nothing(source: str) -> None:
    once = migrate_source(source)
    assert migrate_source(once.code).code == once.code
