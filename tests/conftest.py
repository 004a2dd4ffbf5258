"""Shared test helpers: the installed command, and temp trees."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from tests.servers import MariaDB, Postgres

T = TypeVar("T")

FIXTURES = Path(__file__).parent / "fixtures"


def command_path() -> str:
    """The installed ``async-migrate`` console script next to this interpreter."""
    candidate = Path(sys.executable).parent / "async-migrate"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("async-migrate")
    if found is None:
        pytest.fail("the async-migrate command is not installed (pip install -e '.[test]')")
    return found


def _session_cache() -> Path:
    """One cache directory for the test session, away from the user's own cache."""
    global _CACHE
    if _CACHE is None:
        _CACHE = Path(tempfile.mkdtemp(prefix="async-migrate-test-cache-"))
    return _CACHE


_CACHE: Path | None = None


def run_cli(
    *args: str,
    cwd: os.PathLike[str] | str | None = None,
    stdin: bytes | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a subprocess."""
    env = dict(os.environ)
    env.setdefault("ASYNC_MIGRATE_CACHE_DIR", str(_session_cache()))
    env.update(extra_env or {})
    return subprocess.run(
        [command_path(), *args],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
        check=False,
    )


def run_in_pty(
    *args: str,
    cwd: os.PathLike[str] | str | None = None,
    env: dict[str, str] | None = None,
    prompt: bytes = b"",
    answers: list[bytes] | None = None,
    timeout: float = 60,
) -> tuple[int, bytes]:
    """Run the real command with stdin, stdout and stderr on a pseudo-terminal, as in
    an interactive shell. Each time the output shows ``prompt`` again (and stops there),
    the next of ``answers`` is typed. Returns the exit code and what the terminal showed."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [command_path(), *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    shown = bytearray()
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
            pending = list(answers or [])[answered:]
            if (
                pending
                and prompt
                and shown.count(prompt) > answered
                and bytes(shown).rstrip().endswith(prompt.rstrip())
            ):
                os.write(master, pending[0])
                answered += 1
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, bytes(shown)


@pytest.fixture(scope="session")
def http_server():
    """Base URL of a real aiohttp.web server on 127.0.0.1 (see tests/http_server.py)."""
    from tests.http_server import serve

    with serve() as base:
        yield base


@pytest.fixture(scope="session")
def https_server(tmp_path_factory):
    """Base URL of the same server over TLS with a self-signed certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    from tests.http_server import self_signed_context, serve

    context = self_signed_context(str(tmp_path_factory.mktemp("tls")))
    with serve(context) as base:
        yield base


@pytest.fixture(scope="session")
def redis_url():
    """URL of a private redis-server on 127.0.0.1 (see tests/redis_server.py)."""
    from tests.redis_server import redis_server

    with redis_server() as url:
        yield url


def _database_server(kind: str, start: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    """Start a private database server for the session (see tests/servers.py). Under
    CI (``CI`` set and not ``false``/``0``) a server that cannot start fails the tests
    that need it; elsewhere they are skipped, with the reason."""
    from tests import servers

    reason = servers.unavailable(kind)
    if reason is None:
        started = False
        try:
            with start() as server:
                started = True
                yield server
        except servers.ServerError as e:
            if started:
                raise
            reason = str(e)
        else:
            return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"the {kind} server is needed under CI: {reason}", pytrace=False)
    pytest.skip(f"no {kind} server: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """A private PostgreSQL server on 127.0.0.1, for the whole session."""
    from tests import servers

    yield from _database_server("postgres", servers.postgres)


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDB]:
    """A private MariaDB server on 127.0.0.1, for the whole session."""
    from tests import servers

    yield from _database_server("mariadb", servers.mariadb)
