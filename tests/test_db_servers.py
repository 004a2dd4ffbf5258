"""The database server fixtures: under CI a server that cannot start fails the tests that
need it; elsewhere they are skipped, saying why."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests import conftest, servers


@contextlib.contextmanager
def _broken() -> Iterator[None]:
    raise servers.ServerError("initdb exited with 1")
    yield  # pragma: no cover


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_server_that_cannot_start(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(servers, "unavailable", lambda kind: None)
    with pytest.raises(outcome, match="initdb exited with 1"):
        next(conftest._database_server("postgres", _broken))


def test_a_missing_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(servers, "unavailable", lambda kind: "mariadbd was not found")
    with pytest.raises(pytest.fail.Exception, match="mariadbd was not found"):
        next(conftest._database_server("mariadb", _broken))


def test_the_postgres_binaries_are_found() -> None:
    if servers.unavailable("postgres"):
        pytest.skip("PostgreSQL is not installed here")
    bindir = servers.postgres_bindir()
    assert bindir is not None and (bindir / "initdb").is_file()
