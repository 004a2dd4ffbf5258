"""Hints (AM406, "looks CPU-bound") are shown but do not fail ``--check`` unless
selected by their code or a prefix of it (``--select``, ``--extend-select`` or the
configuration keys of the same names); a codemod's name does not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

# Nothing to rewrite; one hint.
APP = b"""def busy(n):
    total = 0
    while n:
        n -= 1
        total += n
    return total


async def handler(n):
    return busy(n)
"""
HINT = "app.py:10:12: AM406 busy looks CPU-bound"


def test_a_hint_is_shown_but_does_not_fail_check(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    result = run_cli("--check", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.decode().splitlines()
    assert lines[0].startswith(HINT)
    assert lines[1] == (
        "async-migrate: 1 file scanned, 0 would change, 0 rewrites, "
        "0 findings left for manual work, 1 hint, 0 errors"
    )
    github = run_cli("--check", "--output-format", "github", "app.py", cwd=tmp_path)
    assert github.returncode == 0
    assert github.stdout.startswith(b"::notice file=app.py,line=10,col=12::AM406 ")


def test_extend_select_makes_a_hint_fail_check(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    result = run_cli("--check", "--extend-select", "am406", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[0].startswith(HINT)
    assert b"1 finding left for manual work, 0 errors" in result.stderr
    github = run_cli(
        "--check", "--extend-select", "AM406", "--output-format", "github", "app.py", cwd=tmp_path
    )
    assert github.stdout.startswith(b"::warning file=app.py,line=10,col=12::AM406 ")
    as_json = run_cli("--check", "--output-format", "json", "app.py", cwd=tmp_path)
    assert as_json.returncode == 0
    (record,) = json.loads(as_json.stdout)
    assert record["code"] == "AM406" and record["fixable"] is False


def test_extend_select_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    (tmp_path / "pyproject.toml").write_text('[tool.async-migrate]\nextend-select = ["AM406"]\n')
    assert run_cli("--check", "app.py", cwd=tmp_path).returncode == 1
    # As for codemods (and in ruff), --select drops the configuration's extend-select.
    assert run_cli("--check", "--select", "cpu", "app.py", cwd=tmp_path).returncode == 0


def test_extend_select_takes_codemods_and_hints_together(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    result = run_cli("--check", "--extend-select", "concurrency,am406", "app.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert b"1 finding left for manual work" in result.stderr


def test_a_hint_fails_check_only_when_selected_by_code_or_prefix(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    failing = {"--select AM406": 1, "--select AM4": 1, "--extend-select AM40": 1}
    passing = {"--select cpu": 0, "--extend-select AM101": 0, "--ignore AM406": 0}
    for flags, code in {**failing, **passing}.items():
        result = run_cli("--check", *flags.split(), "app.py", cwd=tmp_path)
        assert result.returncode == code, flags
        lines = result.stderr.decode().splitlines()
        if flags == "--ignore AM406":
            assert lines == [
                "async-migrate: 1 file scanned, 0 would change, 0 rewrites, "
                "0 findings left for manual work, 0 errors"
            ]
        else:
            assert lines[0].startswith(HINT), flags
    # The most specific selector decides: the prefix selects it, its code ignores it.
    result = run_cli("--check", "--select", "AM4", "--ignore", "AM406", "app.py", cwd=tmp_path)
    assert result.returncode == 0 and HINT.encode() not in result.stderr
