"""A private ``redis-server`` on a free loopback port, for behaviour tests.

It saves nothing (``--save '' --appendonly no``), listens on 127.0.0.1 only and keeps its
files in a temporary directory. When ``redis-server`` cannot start, the tests that need it
are skipped, except under ``CI=true``, where they fail: CI installs the server (see
``.ci/run``), so a missing one there is a broken set-up, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"redis-server is required under CI: {reason}")
    pytest.skip(reason)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server() -> Iterator[str]:
    """``redis://127.0.0.1:<port>/0`` of a fresh server, stopped (and waited for) after."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    assert binary is not None
    output = ""
    with tempfile.TemporaryDirectory(prefix="async-migrate-redis-") as directory:
        for _attempt in range(3):  # the free port may be taken again before the server binds
            port = _free_port()
            process = subprocess.Popen(
                [
                    binary,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--dir",
                    directory,
                    "--daemonize",
                    "no",
                    "--loglevel",
                    "warning",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            try:
                deadline = time.monotonic() + 10
                while process.poll() is None and time.monotonic() < deadline:
                    if _answers_ping(port):
                        break
                    time.sleep(0.05)
                if process.poll() is None and _answers_ping(port):
                    yield f"redis://127.0.0.1:{port}/0"
                    return
            finally:
                output = _stop(process)
        _unavailable(f"redis-server did not start: {output.strip()[-500:]}")


def _stop(process: subprocess.Popen[bytes]) -> str:
    """Stop the server and wait for it; what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = b""
    if process.stdout is not None:
        output = process.stdout.read()
        process.stdout.close()
    return output.decode(errors="replace")
