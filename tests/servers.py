"""Private PostgreSQL and MariaDB servers for the database tests.

Each server gets a fresh data directory under the system temp directory, listens on
127.0.0.1 on a free port (and on a Unix socket inside its data directory), and runs
as an unprivileged user: as root, the database's own system user (``postgres``,
``mysql``) when it exists, else ``nobody``, since neither server agrees to run as
root. Stopping a server waits for its process and removes its directory.

:func:`unavailable` says why a server cannot start here (``None`` when it can).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class ServerError(RuntimeError):
    """A server could not be set up or did not come up; the message holds its log."""


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    dbname: str

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"


@dataclass(frozen=True)
class MariaDB:
    host: str
    port: int
    user: str
    db: str


# -- finding the programs -----------------------------------------------------------


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: the newest
    ``/usr/lib/postgresql/<version>/bin`` (Debian, Ubuntu), ``pg_config --bindir``, or
    the directory of an ``initdb`` on the PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(out.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for candidate in candidates:
        bindir = Path(candidate)
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _mariadb_programs() -> tuple[str, str] | None:
    """(install-db script, server), either the ``mariadb*`` or the ``mysql*`` names."""
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    server = (
        shutil.which("mariadbd")
        or shutil.which("mysqld")
        or next((p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.path.exists(p)), None)
    )
    return (install, server) if install and server else None


def unavailable(kind: str) -> str | None:
    """Why the ``postgres`` or ``mariadb`` server cannot be started here, or None."""
    if kind == "postgres" and postgres_bindir() is None:
        return (
            "PostgreSQL's initdb and postgres were not found (/usr/lib/postgresql/*/bin, "
            "pg_config --bindir, PATH); install the 'postgresql' package"
        )
    if kind == "mariadb" and _mariadb_programs() is None:
        return "mariadb-install-db and mariadbd were not found; install 'mariadb-server'"
    return None


# -- running as an unprivileged user ------------------------------------------------


@dataclass(frozen=True)
class _Account:
    name: str
    uid: int
    gid: int


def _account(preferred: str) -> _Account | None:
    """The user to run a server as: None to stay who we are (not root), else
    ``preferred`` or ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in (preferred, "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return _Account(name, entry.pw_uid, entry.pw_gid)
    raise ServerError(f"running as root and neither '{preferred}' nor 'nobody' exists")


def _user_kwargs(account: _Account | None) -> dict[str, object]:
    if account is None:
        return {}
    return {"user": account.uid, "group": account.gid, "extra_groups": []}


def _private_dir(prefix: str, account: _Account | None) -> Path:
    """A new directory the server's user owns, reachable by it (not under pytest's
    ``tmp_path``, whose parents are private to the user running the tests)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if account is not None:
        os.chown(path, account.uid, account.gid)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(command: list[str], account: _Account | None, log: Path) -> None:
    with open(log, "ab") as out:
        result = subprocess.run(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=START_TIMEOUT,
            check=False,
            **_user_kwargs(account),  # type: ignore[arg-type]
        )
    if result.returncode != 0:
        raise ServerError(f"{' '.join(command)} exited with {result.returncode}:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def _serving(
    command: list[str],
    account: _Account | None,
    log: Path,
    ready: Callable[[], bool],
    stop_signal: int,
) -> Iterator[None]:
    """Run ``command`` until the block ends; wait until ``ready()`` first."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal is the tests' to handle
            **_user_kwargs(account),  # type: ignore[arg-type]
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if process.poll() is not None:
                raise ServerError(f"{command[0]} exited with {process.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise ServerError(f"{command[0]} did not accept connections:\n{_tail(log)}")
            time.sleep(0.1)
        yield
    finally:
        if process.poll() is None:
            process.send_signal(stop_signal)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _accepts(connect: Callable[[], object]) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            connection = connect()
        except Exception:
            return False
        close = getattr(connection, "close", None)
        if close is not None:
            close()
        return True

    return ready


# -- the servers ------------------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server of its own: ``initdb`` into a temp directory (trust
    authentication, user ``postgres``), then ``postgres -D dir -k dir -h 127.0.0.1``."""
    import psycopg2

    bindir = postgres_bindir()
    if bindir is None:
        raise ServerError(unavailable("postgres") or "no PostgreSQL")
    account = _account("postgres")
    root = _private_dir("am-postgres-", account)
    data, log = root / "data", root / "server.log"
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            account,
            log,
        )
        port = free_port()
        server = Postgres("127.0.0.1", port, "postgres", "postgres")
        command = [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-k",
            str(root),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
        ]
        ready = _accepts(lambda: psycopg2.connect(server.dsn, connect_timeout=2))
        # SIGINT: PostgreSQL's fast shutdown (aborts open transactions, then exits).
        with _serving(command, account, log, ready, signal.SIGINT):
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def mariadb() -> Iterator[MariaDB]:
    """A MariaDB server of its own: ``mariadb-install-db`` into a temp directory, then
    ``mariadbd`` with ``--skip-grant-tables`` (any user, no password) and a database
    ``amtest``."""
    import pymysql

    programs = _mariadb_programs()
    if programs is None:
        raise ServerError(unavailable("mariadb") or "no MariaDB")
    install, daemon = programs
    account = _account("mysql")
    root = _private_dir("am-mariadb-", account)
    data, log = root / "data", root / "server.log"
    try:
        _run(
            [
                install,
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *([f"--user={account.name}"] if account else []),
            ],
            account,
            log,
        )
        port = free_port()
        server = MariaDB("127.0.0.1", port, "root", "amtest")
        command = [
            daemon,
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={root / 'mysqld.sock'}",
            f"--pid-file={root / 'mysqld.pid'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--skip-grant-tables",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=32M",
            "--innodb-flush-log-at-trx-commit=0",
        ]

        def connect() -> object:
            return pymysql.connect(
                host=server.host, port=server.port, user=server.user, connect_timeout=2
            )

        with _serving(command, account, log, _accepts(connect), signal.SIGTERM):
            with contextlib.closing(connect()) as connection:
                with connection.cursor() as cursor:  # type: ignore[attr-defined]
                    cursor.execute(f"CREATE DATABASE {server.db}")
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)
