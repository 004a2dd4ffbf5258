"""Shared test helpers: the installed command, and temp trees."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def run_cli(
    *args: str, cwd: os.PathLike[str] | str | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a subprocess."""
    return subprocess.run(
        [command_path(), *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
        check=False,
    )


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
