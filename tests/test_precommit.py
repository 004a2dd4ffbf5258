"""The pre-commit hooks, run by pre-commit itself (``pre-commit try-repo``) on a temp git
repository. The hook repository is a fresh git copy of this project, so the test does
not depend on how the project was checked out (or on uncommitted changes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def _hook_repository(where: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("async_migrate", "codemods"):
        shutil.copytree(ROOT / name, where / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, where / name)
    _git(where, "init", "-q")
    _git(where, "add", "-A")
    _git(where, "commit", "-q", "-m", "hook repository")
    return where


def _try_repo(hooks: Path, project: Path, hook: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(cache), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )


def test_hook_definitions() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["async-migrate"]["entry"] == "async-migrate"
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["types"] == ["python"]


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hooks(tmp_path: Path) -> None:
    hooks = _hook_repository(tmp_path / "hooks")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_bytes(SOURCE)
    (project / "notes.txt").write_bytes(b"time.sleep(1) in a text file is not Python\n")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    cache = tmp_path / "cache"

    check = _try_repo(hooks, project, "async-migrate-check", cache)
    output = check.stdout.decode()
    assert check.returncode == 1, output + check.stderr.decode()
    assert "async-migrate (check only)" in output and "Failed" in output
    assert "+    await asyncio.sleep(1)" in output  # the diff is shown
    assert (project / "app.py").read_bytes() == SOURCE

    fix = _try_repo(hooks, project, "async-migrate", cache)
    output = fix.stdout.decode()
    # pre-commit fails a hook that modified files, so the user reviews and re-stages.
    assert fix.returncode == 1, output + fix.stderr.decode()
    assert "files were modified by this hook" in output
    assert (project / "app.py").read_bytes() == MIGRATED
    assert (project / "notes.txt").read_bytes().startswith(b"time.sleep(1)")

    _git(project, "add", "-A")
    again = _try_repo(hooks, project, "async-migrate", cache)
    assert again.returncode == 0, again.stdout.decode()
    assert "Passed" in again.stdout.decode()
