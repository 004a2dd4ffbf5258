"""Shared test helpers: the installed command, and temp trees; and how the tests share
the machine when pytest-xdist runs them in several worker processes (see
:func:`pytest_runtest_protocol`)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from tests.servers import MariaDB, Postgres

T = TypeVar("T")

FIXTURES = Path(__file__).parent / "fixtures"


# -- sharing the machine between pytest-xdist workers --------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker per core this process may run on, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


# Modules whose tests all run in one worker, so that their module- and session-scoped
# fixtures are set up once (the servers are per process, the migrations take seconds).
_ONE_WORKER = {
    "tests/test_db_behaviour.py": "databases",  # PostgreSQL and MariaDB
    "tests/test_db_facts.py": "databases",
    "tests/test_redis_behaviour.py": "redis",
    "tests/test_requests_behaviour.py": "requests",  # migrates a long module
    "tests/test_files_behaviour.py": "files",
    "tests/test_cpu_behaviour.py": "cpu",  # a process pool
    "tests/test_server.py": "server",  # one language server session
}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``-n``'s default distribution (``load``: each worker takes the next test when it
    is nearly done), except for the modules of :data:`_ONE_WORKER`: each group of them
    goes to one worker as a whole, where the collection order has its first test. That
    order is kept (no largest group first): the ``slow`` tests go out first, and the
    groups, which hold ``timing`` tests, do not wait for them."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _ONE_WORKER.get(nodeid.split("::", 1)[0], nodeid)

    return Scheduling(config, log)  # type: ignore[arg-type]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` first, so that no worker is left to finish one alone
    while the others have nothing to do; a ``timing`` test waits for the test running
    in each other worker to end (see below), which the short ones do soon."""
    items.sort(key=lambda item: not (item.get_closest_marker("slow")))


class _Turns:
    """A readers-writer lock between the worker processes of one run: ``shared`` for an
    ordinary test, ``alone`` for a ``timing`` test, which so runs while no other test
    runs. A ``timing`` test that waits keeps new ordinary tests from starting (the
    turnstile), so it does not wait for ever."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._turnstile = open(directory / "turnstile.lock", "a+b")
        self._room = open(directory / "room.lock", "a+b")

    @contextmanager
    def shared(self) -> Iterator[None]:
        fcntl.flock(self._turnstile, fcntl.LOCK_EX)
        fcntl.flock(self._turnstile, fcntl.LOCK_UN)
        fcntl.flock(self._room, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(self._room, fcntl.LOCK_UN)

    @contextmanager
    def alone(self) -> Iterator[None]:
        fcntl.flock(self._turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._room, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self._turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(self._room, fcntl.LOCK_UN)

    def close(self) -> None:
        self._turnstile.close()
        self._room.close()


_TURNS: _Turns | None = None


def pytest_unconfigure() -> None:
    global _TURNS
    if _TURNS is not None:
        _TURNS.close()
        _TURNS = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Under pytest-xdist, a test marked ``timing`` (it bounds a wall-clock time or counts
    event-loop ticks in one) runs with no other test running in another worker, as in a
    run without workers; an unmarked one runs beside other unmarked ones. The lock covers
    set-up, call and tear-down, so fixtures' work counts too."""
    global _TURNS
    if not hasattr(item.config, "workerinput"):  # no workers
        yield
        return
    if _TURNS is None:
        # Each worker's --basetemp is a directory of its own in the run's basetemp.
        _TURNS = _Turns(Path(item.config.option.basetemp).parent / "turns")
    turn = _TURNS.alone() if item.get_closest_marker("timing") else _TURNS.shared()
    with turn:
        yield


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
