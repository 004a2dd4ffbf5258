"""The ``cpu`` codemod through the real ``async-migrate`` command and libcst's own tool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli

CALC = b"""import os


def crunch(n):
    total = 0
    for i in range(n):
        total = (total + i * i) % 1000003
    return total, os.getpid()
"""

APP = b"""import sys

from calc import crunch


def busy(n):
    total = 0
    while n:
        n -= 1
        total += n
    return total


async def main(n):
    return crunch(n), sys.version_info[0]


async def other(n):
    return busy(n)
"""

RUN = """
import asyncio, json, os, sys
sys.path.insert(0, ".")
import app
(value, pid), _ = asyncio.run(app.main(int(sys.argv[1])))
print(json.dumps({"value": value, "same_process": pid == os.getpid()}))
"""


def _run_app(root: Path, n: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(n)], cwd=root, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def _crunch(n: int) -> int:
    namespace: dict[str, object] = {}
    exec(CALC, namespace)
    return namespace["crunch"](n)[0]  # type: ignore[operator]


def test_cpu_bound_flag_offloads_an_imported_function(tmp_path: Path) -> None:
    (tmp_path / "calc.py").write_bytes(CALC)
    (tmp_path / "app.py").write_bytes(APP)
    assert _run_app(tmp_path, 5000) == {"value": _crunch(5000), "same_process": True}

    check = run_cli("--check", "--cpu-bound", "crunch", "app.py", cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    assert b"app.py:19:12: AM406 busy looks CPU-bound" in check.stderr
    assert b"--cpu-bound busy" in check.stderr

    done = run_cli("--cpu-bound", "crunch", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"2 files scanned, 1 changed, 1 rewrite, 0 findings left for manual work, 1 hint," in (
        done.stderr
    )
    migrated = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert "run_in_executor(_process_pool(), crunch, n)" in migrated
    assert (tmp_path / "calc.py").read_bytes() == CALC
    assert _run_app(tmp_path, 5000) == {"value": _crunch(5000), "same_process": False}

    # AM406 is a hint: printed, but with nothing else left --check passes.
    hinted = run_cli("--check", "--cpu-bound", "crunch", ".", cwd=tmp_path)
    assert hinted.returncode == 0, hinted.stderr
    assert b"AM406" in hinted.stderr and b"0 would change" in hinted.stderr

    again = run_cli("--check", "--cpu-bound", "crunch", "--cpu-bound", "busy", ".", cwd=tmp_path)
    assert again.returncode == 1
    assert b"1 would change, 1 rewrite, 0 findings" in again.stderr


def test_without_the_flag_named_functions_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    done = run_cli("app.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.py").read_bytes() == APP
    assert b"AM406" in done.stderr


def test_stdin_mode_keeps_line_endings_and_tabs(tmp_path: Path) -> None:
    source = (
        b"import os\r\n\r\n\r\ndef crunch(data, rounds=1):\r\n\treturn data * rounds\r\n\r\n\r\n"
        b"async def handler(data):\r\n\tif data:\r\n"
        b"\t\tdigest = crunch(data, rounds=3)  # a comment long enough to split the call\r\n"
        b"\t\treturn digest, os.sep\r\n"
    )
    done = run_cli("--cpu-bound", "crunch", "--stdin-filename", "h.py", "-", stdin=source)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert b"\t\tdigest = await asyncio.get_running_loop().run_in_executor(\r\n" in out
    assert b"\t\t\t_process_pool(), functools.partial(crunch, data, rounds=3)\r\n" in out
    assert b"\t\t)  # a comment long enough to split the call\r\n" in out
    (tmp_path / "h.py").write_bytes(out)
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio, sys; sys.path.insert(0, '.'); import h; "
            "print(asyncio.run(h.handler('ab')))",
        ],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr.decode()
    assert check.stdout.strip() == repr(("ab" * 3, "/")).encode()


def test_libcst_tool_passes_the_options(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(APP)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--no-format",
            "--hide-progress",
            "-x",
            "codemods.cpu.command.CpuCommand",
            "--cpu-bound",
            "calc:crunch",
            "app.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        env={"PYTHONPATH": str(Path(__file__).parent.parent), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "run_in_executor(_process_pool(), crunch, n)" in (tmp_path / "app.py").read_text()
