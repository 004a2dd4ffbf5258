"""``--interactive``: answers piped to the real command, and typed on a pseudo-terminal."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, run_in_pty

SOURCE = b"import time\n\n\nasync def f():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
PROMPT = b"[y]es, [n]o, [a]ll remaining, [q]uit: "


def _tree(root: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = root / f"m{i}.py"
        path.write_bytes(SOURCE)
        paths.append(path)
    return paths


def _states(paths: list[Path]) -> list[str]:
    return ["migrated" if p.read_bytes() == MIGRATED else "original" for p in paths]


def test_yes_no_quit_from_a_pipe(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 4)
    result = run_cli("-i", ".", cwd=tmp_path, stdin=b"y\nmaybe\nn\nq\n")
    assert result.returncode == 0, result.stderr
    assert _states(paths) == ["migrated", "original", "original", "original"]
    out = result.stdout.decode()
    # Each file's diff, then the question; an unknown answer asks again.
    assert out.count("Apply these changes to m") == 4
    assert out.count("+    await asyncio.sleep(1)") == 3
    assert "m1.py? [y]es, [n]o, [a]ll remaining, [q]uit: maybe\nApply" in out
    assert b"4 files scanned, 3 declined, 1 changed, 1 rewrite" in result.stderr


def test_all_applies_the_rest_without_asking(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 3)
    result = run_cli("--interactive", ".", cwd=tmp_path, stdin=b"n\na\n")
    assert _states(paths) == ["original", "migrated", "migrated"]
    assert result.stdout.count(PROMPT) == 2


def test_end_of_input_quits(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 2)
    result = run_cli("-i", ".", cwd=tmp_path, stdin=b"")
    assert result.returncode == 0
    assert _states(paths) == ["original", "original"]
    assert result.stdout.count(PROMPT) == 1


def test_interactive_refuses_modes_without_files_to_write(tmp_path: Path) -> None:
    _tree(tmp_path, 1)
    for extra in (["--diff"], ["--check"], ["--output-format", "json"]):
        result = run_cli("-i", *extra, ".", cwd=tmp_path, stdin=b"y\n")
        assert result.returncode == 2, extra
    assert run_cli("-i", "-", stdin=SOURCE).returncode == 2


def test_typed_answers_on_a_terminal(tmp_path: Path) -> None:
    paths = _tree(tmp_path, 3)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    code, shown = run_in_pty(
        "-i", "-j", "1", ".", cwd=tmp_path, env=env, prompt=PROMPT, answers=[b"n\n", b"y\n", b"q\n"]
    )
    assert code == 0, shown
    assert _states(paths) == ["original", "migrated", "original"]
    assert shown.count(PROMPT) == 3
    # On a terminal the diff is coloured and no progress bar is drawn over the questions.
    assert b"\x1b[32m+    await asyncio.sleep(1)\x1b[0m" in shown
    assert b"3/3 files" not in shown
    assert b"3 files scanned, 2 declined, 1 changed" in shown
