"""Output formats and human touches, through the real command: JSON schema, GitHub
annotations, colour, progress bar (on a pseudo-terminal), --quiet, --verbose,
--explain, --list-codemods, shell completion."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from codemods.registry import SPECS
from tests.conftest import command_path, run_cli, run_in_pty

SOURCE = (
    b"import time\n\n\nasync def f(loop):\n    time.sleep(1)\n    loop.call_soon(time.sleep, 1)\n"
)
MIGRATED = (
    b"import asyncio\nimport time\n\n\nasync def f(loop):\n"
    b"    await asyncio.sleep(1)\n"
    b"    loop.call_soon(time.sleep, 1)\n"
)
FIELDS = {"path", "line", "col", "code", "message", "fixable", "fixed"}


def _tree(root: Path, count: int = 1) -> list[Path]:
    paths = []
    for i in range(count):
        path = root / "pkg" / f"m{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SOURCE)
        paths.append(path)
    return paths


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"):
        env.pop(key, None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.mark.parametrize("mode", ["--diff", "--check", None])
def test_json_lists_every_rewrite_and_finding(tmp_path: Path, mode: str | None) -> None:
    (path,) = _tree(tmp_path)
    args = ["--output-format", "json", "pkg"]
    result = run_cli(*([mode] if mode else []), *args, cwd=tmp_path)
    assert result.returncode == (1 if mode == "--check" else 0), result.stderr
    records = json.loads(result.stdout)  # stdout is the JSON list and nothing else
    applied = mode is None
    assert records == [
        {
            "path": "pkg/m0.py",
            "line": 5,
            "col": 5,
            "code": "AM101",
            "message": "time.sleep -> await asyncio.sleep",
            "fixable": True,
            "fixed": applied,
        },
        {
            "path": "pkg/m0.py",
            "line": 6,
            "col": 20,
            "code": "AM102",
            "message": records[1]["message"],
            "fixable": False,
            "fixed": False,
        },
    ]
    assert all(set(r) == FIELDS for r in records)
    assert "time.sleep" in records[1]["message"]
    assert path.read_bytes() == (MIGRATED if applied else SOURCE)
    # Findings are not repeated as text on stderr; the summary stays there.
    assert b"AM102" not in result.stderr
    assert b"1 rewrite, 1 finding left" in result.stderr


def test_json_of_a_clean_tree_is_an_empty_list(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_bytes(MIGRATED.replace(b"    loop.call_soon(time.sleep, 1)\n", b""))
    result = run_cli("--check", "--output-format", "json", ".", cwd=tmp_path)
    assert json.loads(result.stdout) == []


def test_json_from_stdin_needs_check_or_diff(tmp_path: Path) -> None:
    result = run_cli("--output-format", "json", "-", stdin=SOURCE)
    assert result.returncode == 2
    assert b"needs --check or --diff" in result.stderr
    result = run_cli("--check", "--output-format", "json", "-", stdin=SOURCE)
    assert result.returncode == 1
    assert [r["code"] for r in json.loads(result.stdout)] == ["AM101", "AM102"]


def test_github_annotations(tmp_path: Path) -> None:
    _tree(tmp_path)
    weird = tmp_path / "pkg" / "a,b:c%.py"
    weird.write_bytes(SOURCE)
    result = run_cli("--check", "--output-format", "github", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines == [
        "::warning file=pkg/a%2Cb%3Ac%25.py,line=5,col=5::AM101 time.sleep -> await "
        "asyncio.sleep (async-migrate rewrites this)",
        "::warning file=pkg/a%2Cb%3Ac%25.py,line=6,col=20::AM102 " + lines[1].split("AM102 ")[1],
        "::warning file=pkg/m0.py,line=5,col=5::AM101 time.sleep -> await "
        "asyncio.sleep (async-migrate rewrites this)",
        "::warning file=pkg/m0.py,line=6,col=20::AM102 " + lines[1].split("AM102 ")[1],
    ]
    # Under --diff the diff shares stdout with the annotations.
    result = run_cli("--diff", "--output-format", "github", "pkg/m0.py", cwd=tmp_path)
    out = result.stdout.decode()
    assert out.startswith("::warning file=pkg/m0.py,line=5,col=5::AM101 ")
    assert "\n--- a/pkg/m0.py\n+++ b/pkg/m0.py\n" in out
    # In place: what was rewritten needs no annotation; what is left does.
    result = run_cli("--output-format", "github", "pkg/m0.py", cwd=tmp_path)
    assert result.stdout.decode().splitlines() == [lines[3]]


def test_github_annotates_file_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_bytes(b"async def f(:\n    time.sleep(1)\n")
    result = run_cli("--output-format", "github", "bad.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.decode().startswith("::error file=bad.py::cannot parse")
    assert b"bad.py: error: cannot parse" in result.stderr


def test_color_choices(tmp_path: Path) -> None:
    _tree(tmp_path)
    plain = run_cli("--diff", "pkg", cwd=tmp_path)
    assert b"\x1b[" not in plain.stdout + plain.stderr  # auto, in a pipe
    coloured = run_cli("--diff", "--color", "always", "pkg", cwd=tmp_path)
    assert b"\x1b[31m-    time.sleep(1)\x1b[0m\n" in coloured.stdout
    assert b"\x1b[32m+    await asyncio.sleep(1)\x1b[0m\n" in coloured.stdout
    assert b"\x1b[31mAM102\x1b[0m" in coloured.stderr
    never = run_cli("--diff", "--color", "never", "pkg", cwd=tmp_path)
    assert never.stdout == plain.stdout
    assert run_cli("--diff", "--color", "sometimes", "pkg", cwd=tmp_path).returncode == 2


def test_terminal_gets_colour_and_a_progress_bar(tmp_path: Path) -> None:
    _tree(tmp_path, count=3)
    code, shown = run_in_pty("--diff", "-j", "1", "pkg", cwd=tmp_path, env=_env())
    assert code == 0, shown
    assert b"\x1b[32m+    await asyncio.sleep(1)\x1b[0m" in shown
    assert b"3/3 files" in shown and b"\r\x1b[K" in shown

    code, shown = run_in_pty("--diff", "-j", "1", "pkg", cwd=tmp_path, env=_env(CI="true"))
    assert code == 0 and b"+    await asyncio.sleep(1)" in shown
    assert b"files" not in shown.replace(b"3 files scanned", b"")  # no progress bar in CI

    code, shown = run_in_pty("--diff", "pkg", cwd=tmp_path, env=_env(NO_COLOR="1"))
    assert b"\x1b[3" not in shown


def test_no_progress_bar_in_pipes(tmp_path: Path) -> None:
    _tree(tmp_path, count=3)
    result = run_cli("--check", "pkg", cwd=tmp_path)
    assert b"\r" not in result.stderr and b"files\n" not in result.stderr.replace(
        b"3 files scanned", b""
    )


def test_quiet_and_verbose(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "pkg" / "clean.py").write_bytes(b"x = 1\n")
    quiet = run_cli("--check", "-q", "pkg", cwd=tmp_path)
    assert quiet.returncode == 1
    lines = quiet.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pkg/m0.py:6:20: AM102 ")
    verbose = run_cli("--check", "--verbose", "pkg", cwd=tmp_path)
    lines = verbose.stderr.decode().splitlines()
    assert "pkg/clean.py: unchanged" in lines
    assert "pkg/m0.py: would change, 1 rewrite, 1 finding left for manual work" in lines
    assert lines[-1].startswith("async-migrate: 2 files scanned")
    assert run_cli("-q", "-v", "pkg", cwd=tmp_path).returncode == 2


@pytest.mark.slow
def test_explain_every_code() -> None:
    for spec in SPECS:
        for code in spec.codes:
            result = run_cli("--explain", code.code.lower())
            assert result.returncode == 0, code.code
            text = result.stdout.decode()
            assert text.startswith(f"{code.code} ({spec.name} codemod): {code.summary}\n")
    text = run_cli("--explain", "AM101").stdout.decode()
    for part in ("Why it blocks:", "What the rewrite does:", "Example:", "ASYNC251"):
        assert part in text
    unknown = run_cli("--explain", "AM000")
    assert unknown.returncode == 2 and b"unknown code 'AM000'" in unknown.stderr


def test_list_codemods() -> None:
    result = run_cli("--list-codemods")
    assert result.returncode == 0
    text = result.stdout.decode()
    for spec in SPECS:
        assert f"\n{spec.name}: " in "\n" + text
        for code in spec.codes:
            assert f"  {code.code}  {code.summary}" in text


def test_shell_completion_script_and_completions() -> None:
    # Name the shell: without this, typer takes it from the parent processes (shellingham),
    # and a run with no shell among them (nohup, some CI runners) gets none.
    script = run_cli(
        "--show-completion", "bash", extra_env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert script.returncode == 0
    assert b"_ASYNC_MIGRATE_COMPLETE=complete_bash" in script.stdout
    # What bash asks the command when the user presses TAB after "--output-f".
    env = _env(
        _ASYNC_MIGRATE_COMPLETE="complete_bash",
        COMP_WORDS="async-migrate --output-f",
        COMP_CWORD="1",
    )
    result = subprocess.run([command_path()], env=env, capture_output=True, timeout=60, check=False)
    assert result.stdout.split() == [b"--output-format"]
    env.update(COMP_WORDS="async-migrate --output-format ", COMP_CWORD="2")
    result = subprocess.run([command_path()], env=env, capture_output=True, timeout=60, check=False)
    assert result.stdout.split() == [b"text", b"json", b"github"]
