"""sqlite3 / psycopg2 / pymysql in a coroutine -> aiosqlite / psycopg 3 / aiomysql."""

from codemods.db.spec import SPEC

__all__ = ["SPEC"]
