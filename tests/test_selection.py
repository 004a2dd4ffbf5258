"""Ignoring a codemod leaves its calls alone: no codemod rewrites or reports them, the
offload fallback and the helpers index included."""

from __future__ import annotations

from pathlib import Path

from async_migrate import migrate_source
from tests.conftest import run_cli

SOURCE = (
    "import time\n\n\n"
    "def backoff():\n    time.sleep(1)\n\n\n"
    "async def handler():\n    time.sleep(1)\n    backoff()\n"
)


def test_ignored_in_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.async-migrate]\nignore = ["sleep"]\n')
    (tmp_path / "m.py").write_text(SOURCE)
    result = run_cli("--check", "--no-cache", "m.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert b"0 rewrites, 0 findings" in result.stderr


def test_ignored_on_the_command_line_and_in_the_library(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    result = run_cli("--check", "--no-cache", "--ignore", "sleep", "m.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert migrate_source(SOURCE, ignore=["sleep"]).findings == []
    # Not ignored: the sleep is rewritten and the helper offloaded.
    codes = sorted(f.code for f in migrate_source(SOURCE).findings)
    assert codes == ["AM101", "AM651"]


def test_only_the_fallback_selected_still_offloads(tmp_path: Path) -> None:
    """--select offload (the other codemods merely not selected, not ignored) offloads."""
    result = migrate_source(SOURCE, select=["offload"])
    assert [f.code for f in result.findings] == ["AM601"]
