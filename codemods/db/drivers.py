"""What the ``db`` codemod knows about each blocking driver and its asyncio twin, as
plain tables (no libcst: the prefilter reads them too). Every entry is checked against
real servers and files by ``tests/test_db_facts.py``; ``docs/codemods/db.md`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: ``with conn:`` in the sync driver: a transaction that leaves the connection open
#: (sqlite3, psycopg2), or closing it (pymysql).
TRANSACTION, CLOSE = "transaction", "close"


@dataclass(frozen=True, eq=False)
class Driver:
    """A blocking DB-API driver and how its connections and cursors translate."""

    #: The module users import (``sqlite3``) and the rewrite code of its migrations.
    name: str
    code: str
    #: Qualified names of the functions that open a connection.
    connects: frozenset[str]
    #: The async driver's module (imported by the rewrite) and its connect function.
    target: str
    async_connect: str
    #: The sync connect function's parameters that may be passed by position, in order
    #: (passed on by keyword: ``aiosqlite.connect`` takes only the database by position).
    positional: tuple[str, ...]
    #: Keyword arguments carried over, with the async driver's name for each.
    keywords: dict[str, str]
    #: Keyword arguments that name a cursor class (mapped with ``cursor_classes``).
    cursor_class_keywords: frozenset[str]
    #: Connection methods awaited as they are, and those renamed on the way.
    connection_awaited: frozenset[str]
    connection_renamed: dict[str, str]
    #: Connection methods and attributes left as they are; the attributes one may set.
    connection_unchanged: frozenset[str]
    connection_settable: frozenset[str]
    #: ``conn.cursor(...)``: awaited (aiosqlite, aiomysql) or not (psycopg).
    cursor_awaited: bool
    #: Cursor methods awaited; cursor methods and attributes left as they are; settable.
    cursor_methods: frozenset[str]
    cursor_unchanged: frozenset[str]
    cursor_settable: frozenset[str]
    #: Methods (of connections and cursors) whose result is a cursor (sqlite3's execute).
    returns_cursor: frozenset[str]
    #: What ``with conn:`` does in the sync driver (:data:`TRANSACTION` or :data:`CLOSE`).
    with_connection: str
    #: ``with conn.cursor() as cur:`` works (psycopg2, pymysql: it closes the cursor).
    cursor_with: bool
    #: An unclosed async connection leaves a thread behind (aiosqlite): close it.
    needs_close: bool
    #: The sync driver's cursor classes -> the async driver's (dotted names).
    cursor_classes: dict[str, str] = field(default_factory=dict)
    #: The sync driver's exception classes -> the async driver's; empty when the async
    #: driver raises the very same classes.
    exceptions: dict[str, str] = field(default_factory=dict)
    #: A ``cur.execute`` result is None in the sync driver but not in the async one.
    execute_result_differs: bool = False
    #: Methods the sync driver has and the async one lacks or changes, with the reason.
    unsupported: dict[str, str] = field(default_factory=dict)


_SQLITE_CONNECT = (
    "database",
    "timeout",
    "detect_types",
    "isolation_level",
    "check_same_thread",
    "factory",
    "cached_statements",
    "uri",
)

SQLITE = Driver(
    name="sqlite3",
    code="AM701",
    connects=frozenset({"sqlite3.connect", "sqlite3.dbapi2.connect"}),
    target="aiosqlite",
    async_connect="aiosqlite.connect",
    positional=_SQLITE_CONNECT,
    keywords={k: k for k in (*_SQLITE_CONNECT, "autocommit")},
    cursor_class_keywords=frozenset(),
    connection_awaited=frozenset(
        {"execute", "executemany", "executescript", "commit", "rollback", "close"}
    ),
    connection_renamed={},
    connection_unchanged=frozenset(
        {"row_factory", "text_factory", "total_changes", "in_transaction", "isolation_level"}
    ),
    connection_settable=frozenset({"row_factory", "text_factory"}),
    cursor_awaited=True,
    cursor_methods=frozenset(
        {"execute", "executemany", "executescript", "fetchone", "fetchmany", "fetchall", "close"}
    ),
    cursor_unchanged=frozenset({"lastrowid", "rowcount", "description", "arraysize"}),
    cursor_settable=frozenset({"arraysize"}),
    returns_cursor=frozenset({"execute", "executemany", "executescript"}),
    with_connection=TRANSACTION,
    cursor_with=False,
    needs_close=True,
    unsupported={
        "isolation_level": "aiosqlite sets it from the event loop's thread, and sqlite3 then "
        "raises ProgrammingError (the connection belongs to aiosqlite's thread)",
    },
)

PSYCOPG2 = Driver(
    name="psycopg2",
    code="AM702",
    connects=frozenset({"psycopg2.connect"}),
    target="psycopg",
    async_connect="psycopg.AsyncConnection.connect",
    positional=("dsn",),
    # Any other keyword is a libpq connection parameter, passed on as it is.
    keywords={"dsn": "conninfo", "database": "dbname"},
    cursor_class_keywords=frozenset({"cursor_factory"}),
    connection_awaited=frozenset({"commit", "rollback", "close"}),
    connection_renamed={},
    connection_unchanged=frozenset({"autocommit"}),
    connection_settable=frozenset(),  # autocommit: ``await conn.set_autocommit(...)``
    cursor_awaited=False,
    cursor_methods=frozenset(
        {"execute", "executemany", "fetchone", "fetchmany", "fetchall", "scroll", "close"}
    ),
    cursor_unchanged=frozenset({"rowcount", "description", "statusmessage", "rownumber"}),
    cursor_settable=frozenset({"arraysize"}),
    returns_cursor=frozenset(),
    with_connection=TRANSACTION,
    cursor_with=True,
    needs_close=False,
    cursor_classes={
        "psycopg2.extras.RealDictCursor": "psycopg.rows.dict_row",
        "psycopg2.extras.NamedTupleCursor": "psycopg.rows.namedtuple_row",
    },
    exceptions={
        **{
            f"psycopg2.{name}": f"psycopg.{name}"
            for name in (
                "Error",
                "Warning",
                "InterfaceError",
                "DatabaseError",
                "DataError",
                "OperationalError",
                "IntegrityError",
                "InternalError",
                "ProgrammingError",
                "NotSupportedError",
            )
        },
        **{
            f"psycopg2.{module}.{name}Error": f"psycopg.errors.{name}"
            for module in ("errors", "extensions")
            for name in ("QueryCanceled", "TransactionRollback")
        },
        "psycopg2.errors.*": "psycopg.errors.*",  # the same SQLSTATE class names
    },
    execute_result_differs=True,
    unsupported={
        "lastrowid": "psycopg 3 cursors have no lastrowid (use RETURNING)",
        "query": "psycopg 3 cursors have no query attribute",
        "mogrify": "psycopg 3 has mogrify only on client-side cursors, returning str",
        "callproc": "psycopg 3 has no callproc (use SELECT or CALL)",
        "copy_from": "psycopg 3 copies with 'async with cur.copy(...)'",
        "copy_to": "psycopg 3 copies with 'async with cur.copy(...)'",
        "copy_expert": "psycopg 3 copies with 'async with cur.copy(...)'",
        "closed": "psycopg2's closed is an int (0, 1, 2), psycopg 3's a bool",
        "set_session": "psycopg 3 sets each setting with its own awaited method",
        "set_isolation_level": "psycopg 3 takes an IsolationLevel, not psycopg2's constants",
        "isolation_level": "psycopg 3 takes an IsolationLevel, not psycopg2's constants",
    },
)

_PYMYSQL_KEYWORDS = (
    "host",
    "user",
    "password",
    "port",
    "unix_socket",
    "charset",
    "sql_mode",
    "read_default_file",
    "conv",
    "use_unicode",
    "client_flag",
    "cursorclass",
    "init_command",
    "connect_timeout",
    "read_default_group",
    "autocommit",
    "local_infile",
    "ssl",
    "program_name",
    "server_public_key",
)

PYMYSQL = Driver(
    name="pymysql",
    code="AM703",
    connects=frozenset({"pymysql.connect", "pymysql.Connect"}),
    target="aiomysql",
    async_connect="aiomysql.connect",
    positional=(),  # PyMySQL 1.x takes keyword arguments only
    keywords={
        **{k: k for k in _PYMYSQL_KEYWORDS},
        "database": "db",
        "db": "db",
        "passwd": "password",
    },
    cursor_class_keywords=frozenset({"cursorclass"}),
    connection_awaited=frozenset(
        {"commit", "rollback", "begin", "ping", "select_db", "autocommit", "show_warnings"}
    ),
    connection_renamed={"close": "ensure_closed"},
    connection_unchanged=frozenset({"insert_id", "escape", "literal", "get_autocommit"}),
    connection_settable=frozenset(),
    cursor_awaited=True,
    cursor_methods=frozenset(
        {
            "execute",
            "executemany",
            "callproc",
            "nextset",
            "fetchone",
            "fetchmany",
            "fetchall",
            "scroll",
            "close",
        }
    ),
    cursor_unchanged=frozenset({"rowcount", "lastrowid", "description", "rownumber", "mogrify"}),
    cursor_settable=frozenset({"arraysize"}),
    returns_cursor=frozenset(),
    with_connection=CLOSE,
    cursor_with=True,
    needs_close=False,
    cursor_classes={
        f"pymysql.cursors.{name}": f"aiomysql.{name}"
        for name in ("Cursor", "DictCursor", "SSCursor", "SSDictCursor")
    },
)

DRIVERS: tuple[Driver, ...] = (SQLITE, PSYCOPG2, PYMYSQL)

#: Drivers whose connections are reported, not migrated, with the reason.
REPORTED: dict[str, str] = {
    name: "MySQLdb (mysqlclient) is not migrated: it raises its own exception classes, "
    "which aiomysql does not; move to aiomysql by hand (or to pymysql, then rerun)"
    for name in ("MySQLdb.connect", "MySQLdb.Connect", "MySQLdb.Connection")
}

#: What the prefilter looks for: the connect functions, inside coroutines.
CONNECTS: frozenset[str] = frozenset(name for d in DRIVERS for name in d.connects)
PREFILTER: frozenset[str] = CONNECTS | frozenset(REPORTED)


def async_exception(driver: Driver, name: str) -> str | None:
    """The async driver's class for the sync driver's exception class ``name``
    (a qualified name), or None when there is no faithful twin."""
    if name in driver.exceptions:
        return driver.exceptions[name]
    for pattern, replacement in driver.exceptions.items():
        if pattern.endswith(".*") and name.startswith(pattern[:-1]):
            return replacement[:-1] + name[len(pattern) - 1 :]
    return None


def is_driver_exception(driver: Driver, name: str) -> bool:
    """True for a name under the sync driver's module that looks like an exception."""
    return name.startswith(driver.name + ".") and (
        name.endswith(("Error", "Warning")) or name.startswith(driver.name + ".errors.")
    )
