"""The real ``async-migrate`` command, in subprocesses, on temp trees."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

BLOCKING = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"
REFERENCE = b"import time\n\n\nasync def f(loop):\n    loop.call_soon(time.sleep, 1)\n"
CLEAN = b"import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# Files whose bytes must survive exactly where nothing is rewritten.
ENCODINGS = {
    "src/latin1.py": (
        b"# -*- coding: latin-1 -*-\nimport time\n\n\nasync def f():\n"
        b"    time.sleep(1)  # caf\xe9\n    return 'na\xefve'\n"
    ),
    "src/bom.py": b"\xef\xbb\xbfimport time\n\n\nasync def f():\n    time.sleep(1)\n",
    "src/crlf.py": (
        b"import time\r\n\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n    return 1\r\n"
    ),
    "src/tabs.py": b"import time\n\n\nasync def f():\n\tif True:\n\t\ttime.sleep(1)\n",
    "src/no_final_newline.py": b"import time\n\n\nasync def f():\n    time.sleep(1)",
    "src/pkg/plain.py": BLOCKING,
    "src/pkg/clean.py": CLEAN,
}

EXPECTED = {
    "src/latin1.py": (
        b"# -*- coding: latin-1 -*-\nimport asyncio\n\n\nasync def f():\n"
        b"    await asyncio.sleep(1)  # caf\xe9\n    return 'na\xefve'\n"
    ),
    "src/bom.py": b"\xef\xbb\xbfimport asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n",
    "src/crlf.py": (
        b"import asyncio\r\n\r\n\r\nasync def f():\r\n"
        b"    await asyncio.sleep(1)\r\n    return 1\r\n"
    ),
    "src/tabs.py": b"import asyncio\n\n\nasync def f():\n\tif True:\n\t\tawait asyncio.sleep(1)\n",
    "src/no_final_newline.py": b"import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)",
    "src/pkg/plain.py": MIGRATED,
    "src/pkg/clean.py": CLEAN,
}


def test_in_place_preserves_encodings_line_endings_and_bytes(tmp_path: Path) -> None:
    _tree(tmp_path, ENCODINGS)
    result = run_cli("src", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _snapshot(tmp_path) == EXPECTED
    assert b"7 files scanned, 6 changed, 6 rewrites" in result.stderr


def test_diff_applies_with_patch_p1_and_equals_in_place(tmp_path: Path) -> None:
    in_place, patched = tmp_path / "in_place", tmp_path / "patched"
    _tree(in_place, ENCODINGS)
    _tree(patched, ENCODINGS)

    diff = run_cli("--diff", "src", cwd=patched)
    assert diff.returncode == 0, diff.stderr
    assert _snapshot(patched) == ENCODINGS, "--diff must write nothing"
    assert diff.stdout.startswith(b"--- a/src/")
    subprocess.run(["patch", "-p1", "--quiet"], input=diff.stdout, cwd=patched, check=True)

    assert run_cli("src", cwd=in_place).returncode == 0
    assert _snapshot(patched) == _snapshot(in_place) == EXPECTED


def test_diff_of_absolute_path_under_cwd_applies(tmp_path: Path) -> None:
    _tree(tmp_path, {"app/a.py": BLOCKING})
    diff = run_cli("--diff", str(tmp_path / "app"), cwd=tmp_path)
    assert diff.stdout.startswith(b"--- a/app/a.py\n+++ b/app/a.py\n")
    subprocess.run(["patch", "-p1", "--quiet"], input=diff.stdout, cwd=tmp_path, check=True)
    assert (tmp_path / "app/a.py").read_bytes() == MIGRATED


def test_check_exit_codes(tmp_path: Path) -> None:
    _tree(tmp_path, {"dirty.py": BLOCKING, "clean.py": CLEAN})
    _tree(
        tmp_path,
        {"left.py": b"import time\n\n\nasync def f(loop):\n    loop.call_soon(time.sleep, 1)\n"},
    )

    dirty = run_cli("--check", "dirty.py", "clean.py", cwd=tmp_path)
    assert dirty.returncode == 1
    assert dirty.stdout == b""
    assert (tmp_path / "dirty.py").read_bytes() == BLOCKING
    assert b"1 would change" in dirty.stderr

    assert run_cli("--check", "clean.py", cwd=tmp_path).returncode == 0

    left = run_cli("--check", "left.py", cwd=tmp_path)
    assert left.returncode == 1, "a finding left for manual work fails --check"
    assert b"left.py:5:20: AM102 " in left.stderr

    both = run_cli("--check", "--diff", "dirty.py", cwd=tmp_path)
    assert both.returncode == 1
    assert both.stdout.startswith(b"--- a/dirty.py")
    assert (tmp_path / "dirty.py").read_bytes() == BLOCKING


def test_in_place_reports_findings_and_exits_zero(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {"left.py": b"import time\n\n\nasync def f(loop):\n    loop.call_soon(time.sleep, 1)\n"},
    )
    result = run_cli("left.py", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stderr.decode().splitlines()
    assert lines[0].startswith("left.py:5:20: AM102 time.sleep referenced but not called")
    assert lines[-1] == (
        "async-migrate: 1 file scanned, 0 changed, 0 rewrites, "
        "1 finding left for manual work, 0 errors"
    )


def test_stdin_mode(tmp_path: Path) -> None:
    result = run_cli("-", stdin=BLOCKING)
    assert result.returncode == 0
    assert result.stdout == MIGRATED

    source = b"import time\n\n\nasync def f(loop):\n    loop.call_soon(time.sleep, 1)\n"
    named = run_cli("--stdin-filename", "app/handlers.py", "-", stdin=source)
    assert named.stdout == source
    assert b"app/handlers.py:5:20: AM102" in named.stderr

    diff = run_cli("--diff", "--stdin-filename", "m.py", "-", stdin=BLOCKING)
    assert diff.stdout.startswith(b"--- a/m.py\n+++ b/m.py\n")

    assert run_cli("--check", "-", stdin=BLOCKING).returncode == 1
    assert run_cli("--check", "-", stdin=CLEAN).returncode == 0

    bad = b"import time\nasync def f(:\n    time.sleep(1)\n"
    broken = run_cli("--stdin-filename", "x.py", "-", stdin=bad)
    assert broken.returncode == 2
    assert broken.stdout == bad, "the editor's buffer must come back intact"
    assert b"x.py: error: cannot parse" in broken.stderr


def test_unparsable_file_is_named_left_untouched_and_others_migrated(tmp_path: Path) -> None:
    bad = b"import time\n\nasync def f(:\n    time.sleep(1)\n"
    _tree(tmp_path, {"src/a.py": BLOCKING, "src/bad.py": bad, "src/z.py": BLOCKING})
    result = run_cli("src", cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.decode().splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("src/bad.py: error: cannot parse: line 3")
    assert (tmp_path / "src/bad.py").read_bytes() == bad
    assert (tmp_path / "src/a.py").read_bytes() == MIGRATED
    assert (tmp_path / "src/z.py").read_bytes() == MIGRATED
    assert b"1 error" in result.stderr


def test_undecodable_file_named_is_an_error_and_found_is_skipped(tmp_path: Path) -> None:
    bad = b"import time\n\n\nasync def f():\n    time.sleep(1)\n    return '\xff\xfe'\n"
    _tree(tmp_path, {"bad.py": bad, "ok.py": BLOCKING})
    result = run_cli("bad.py", "ok.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[0] == (
        "bad.py: error: not a text file: cannot be decoded as utf-8: byte 0xff on line 6"
    )
    assert (tmp_path / "bad.py").read_bytes() == bad
    assert (tmp_path / "ok.py").read_bytes() == MIGRATED

    (tmp_path / "ok.py").write_bytes(BLOCKING)
    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.decode().splitlines()
    assert lines[0] == (
        "bad.py: skipped: not a text file (cannot be decoded as utf-8: byte 0xff on line 6)"
    )
    assert lines[1].startswith("async-migrate: 2 files scanned, 1 skipped, 1 changed")
    assert (tmp_path / "bad.py").read_bytes() == bad
    assert (tmp_path / "ok.py").read_bytes() == MIGRATED


def test_missing_path_is_an_error_and_others_run(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.py": BLOCKING})
    result = run_cli("nope.py", "a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert b"nope.py: error: no such file or directory" in result.stderr
    assert (tmp_path / "a.py").read_bytes() == MIGRATED


def test_permission_bits_are_kept(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"tool.py": BLOCKING}) / "tool.py"
    path.chmod(0o751)
    assert run_cli("tool.py", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.read_bytes() == MIGRATED
    assert [p.name for p in tmp_path.iterdir()] == ["tool.py"], "no temporary file is left"


def test_discovery_skips_hidden_venvs_build_and_excludes(tmp_path: Path) -> None:
    files = {
        "pkg/a.py": BLOCKING,
        "pkg/.hidden/b.py": BLOCKING,
        "pkg/__pycache__/c.py": BLOCKING,
        "pkg/build/d.py": BLOCKING,
        "pkg/node_modules/e.py": BLOCKING,
        "pkg/myenv/lib/f.py": BLOCKING,
        "pkg/myenv/pyvenv.cfg": b"home = /usr\n",
        "pkg/legacy/g.py": BLOCKING,
        "pkg/sub/h_test.py": BLOCKING,
        "pkg/notes.txt": BLOCKING,
    }
    _tree(tmp_path, files)
    (tmp_path / "pkg/dir.py").mkdir()
    os.symlink(tmp_path / "pkg", tmp_path / "pkg/loop")  # a symlink loop
    result = run_cli("pkg", "--exclude", "legacy", "--exclude", "*_test.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    changed = {k for k, v in _snapshot(tmp_path).items() if v != files.get(k)}
    assert changed == {"pkg/a.py"}
    assert b"1 file scanned" in result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_is_respected_in_a_git_work_tree(tmp_path: Path) -> None:
    files = {
        ".gitignore": b"generated/\nskip_me.py\n",
        "app/a.py": BLOCKING,
        "app/skip_me.py": BLOCKING,
        "app/generated/g.py": BLOCKING,
        "app/untracked.py": BLOCKING,
    }
    _tree(tmp_path, files)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", ".gitignore", "app/a.py"], cwd=tmp_path, check=True)
    result = run_cli("app", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    changed = {k for k, v in _snapshot(tmp_path).items() if k in files and v != files[k]}
    assert changed == {"app/a.py", "app/untracked.py"}

    # A directory named on the command line is searched even when git ignores it.
    ignored_dir = run_cli("app/generated", cwd=tmp_path)
    assert ignored_dir.returncode == 0, ignored_dir.stderr
    assert (tmp_path / "app/generated/g.py").read_bytes() == MIGRATED


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    files = {f"m{i:02}.py": BLOCKING.replace(b"1)", f"{i})".encode()) for i in range(24)}
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    _tree(serial, files)
    _tree(parallel, files)
    one = run_cli("--diff", "-j", "1", ".", cwd=serial)
    two = run_cli("--diff", "-j", "2", ".", cwd=parallel)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stdout.count(b"+++ b/") == 24
    assert one.stderr == two.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.py": BLOCKING})
    unknown = run_cli("--select", "nosuch", "a.py", cwd=tmp_path)
    assert unknown.returncode == 2 and b"unknown codemod 'nosuch'" in unknown.stderr
    assert run_cli("-", "a.py", cwd=tmp_path).returncode == 2
    assert run_cli(cwd=tmp_path).returncode == 2
    assert (tmp_path / "a.py").read_bytes() == BLOCKING


def test_select_and_ignore(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.py": BLOCKING})
    ignored = run_cli("--ignore", "sleep,offload", "a.py", cwd=tmp_path)
    assert ignored.returncode == 0
    assert (tmp_path / "a.py").read_bytes() == BLOCKING
    # Ignoring the sleep codemod leaves its calls alone: the fallback does not take them.
    left = run_cli("--ignore", "sleep", "a.py", cwd=tmp_path)
    assert left.returncode == 0
    assert (tmp_path / "a.py").read_bytes() == BLOCKING
    assert b"0 rewrites, 0 findings" in left.stderr
    _tree(tmp_path, {"a.py": BLOCKING})
    selected = run_cli("--select", "sleep", "a.py", cwd=tmp_path)
    assert selected.returncode == 0
    assert (tmp_path / "a.py").read_bytes() == MIGRATED


def test_help_and_version() -> None:
    help_text = run_cli("--help").stdout.decode()
    for flag in (
        "--diff",
        "--check",
        "--select",
        "--ignore",
        "--exclude",
        "--stdin-filename",
        "--jobs",
    ):
        assert flag in help_text
    assert run_cli("--version").stdout.decode().startswith("async-migrate ")


def test_check_names_each_file_that_would_change(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/a.py": BLOCKING, "pkg/b.py": CLEAN, "pkg/c.py": BLOCKING})
    result = run_cli("--check", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert lines[:2] == ["would change: pkg/a.py", "would change: pkg/c.py"]
    assert lines[2].startswith("async-migrate: 3 files scanned, 2 would change")
    assert run_cli("--check", "-q", "pkg", cwd=tmp_path).stderr == b""
    assert b"would change:" not in run_cli("--diff", "pkg", cwd=tmp_path).stderr
    as_json = run_cli("--check", "--output-format", "json", "pkg", cwd=tmp_path)
    assert b"would change:" not in as_json.stderr


def test_a_run_that_finds_no_python_file_says_so(tmp_path: Path) -> None:
    _tree(tmp_path, {"docs/readme.txt": b"no code\n", "src/.hidden/a.py": BLOCKING})
    for args in (["docs", "src"], ["--check", "docs", "src"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 0
        assert result.stderr == b"async-migrate: no Python files found in docs, src\n"
    assert run_cli("-q", "docs", cwd=tmp_path).stderr == b""
    missing = run_cli("nope", cwd=tmp_path)
    assert missing.returncode == 2 and b"no Python files" not in missing.stderr


def test_help_for_cpu_bound_names_the_process_pool() -> None:
    help_text = " ".join(run_cli("--help").stdout.decode().split())
    cpu_bound = help_text[help_text.index("--cpu-bound NAME") :][:120]
    assert "process pool" in cpu_bound and "thread" not in cpu_bound, cpu_bound
