"""Shared test helpers: the installed command, and temp trees."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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
