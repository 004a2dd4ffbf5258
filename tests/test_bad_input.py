"""Bad input through the real command: one clear line naming the file, exit 2, the
other files still migrated, failed files byte-identical."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import command_path, run_cli

BLOCKING = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"

BAD = {
    "syntax_error.py": BLOCKING + b"    return (\n",
    "python2.py": b"# async def in a comment\nimport time\nprint 'x'\ntime.sleep(1)\n",
    "bad_cookie.py": b"# -*- coding: no-such-codec -*-\n" + BLOCKING,
}
EXPECTED_ERRORS = {
    "syntax_error.py": "cannot parse: line 6, column 12: '(' was never closed",
    "python2.py": "cannot parse: line 3, column 1: Missing parentheses in call to 'print'",
    "bad_cookie.py": "cannot decode: ",
}
# Not text: skipped when found in a directory, an error when named.
NOT_TEXT = {
    "invalid_utf8.py": BLOCKING + b"    return '\xff'\n",
    "nul_byte.py": BLOCKING + b"\x00\n",
    "image.py": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # no coroutine: still named
}
WHY_NOT_TEXT = {
    "invalid_utf8.py": "cannot be decoded as utf-8: byte 0xff on line 6",
    "nul_byte.py": "NUL byte on line 6",
    "image.py": "NUL byte on line 3",
}


def test_each_bad_file_gets_one_error_line_and_the_rest_is_migrated(tmp_path: Path) -> None:
    for name, data in {**BAD, **NOT_TEXT, "good.py": BLOCKING, "empty.py": b""}.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dir.py").mkdir()  # a directory named like a module
    (tmp_path / "dir.py" / "inner.py").write_bytes(BLOCKING)
    os.mkfifo(tmp_path / "fifo.py")  # reading it would block: never taken

    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    errors = {line.split(":", 1)[0]: line for line in lines if ": error: " in line}
    assert set(errors) == set(BAD)
    for name, message in EXPECTED_ERRORS.items():
        assert errors[name].startswith(f"{name}: error: {message}"), errors[name]
    skipped = [line for line in lines if ": skipped: " in line]
    assert sorted(skipped) == sorted(
        f"{name}: skipped: not a text file ({why})" for name, why in WHY_NOT_TEXT.items()
    )
    for name, data in {**BAD, **NOT_TEXT}.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert (tmp_path / "good.py").read_bytes() == MIGRATED
    assert (tmp_path / "dir.py" / "inner.py").read_bytes() == MIGRATED
    assert (tmp_path / "empty.py").read_bytes() == b""
    assert f"{len(NOT_TEXT)} skipped" in lines[-1]
    assert lines[-1].endswith(f"{len(BAD)} errors")


def test_a_file_that_is_not_text_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    for name, data in {**NOT_TEXT, "good.py": BLOCKING}.items():
        (tmp_path / name).write_bytes(data)
    result = run_cli(*NOT_TEXT, "good.py", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert lines[:-1] == [
        f"{name}: error: not a text file: {why}" for name, why in WHY_NOT_TEXT.items()
    ]
    assert lines[-1].endswith(f"{len(NOT_TEXT)} errors")
    for name, data in NOT_TEXT.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert (tmp_path / "good.py").read_bytes() == MIGRATED


def test_a_fifo_named_on_the_command_line_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.py")
    result = run_cli("fifo.py", cwd=tmp_path)
    assert result.returncode == 2
    assert b"fifo.py: error: not a regular file or directory" in result.stderr


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv to drop root")
def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    # Root reads everything, so the command runs as `nobody` when the tests run as root.
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "secret.py").write_bytes(BLOCKING)
    (tree / "open.py").write_bytes(BLOCKING)
    (tree / "secret.py").chmod(0o000)
    for path in (tmp_path, tree, tree / "open.py"):
        path.chmod(0o777)
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if os.geteuid() != 0:
        prefix = []
    result = subprocess.run(
        [*prefix, command_path(), "--no-cache", "."],
        cwd=tree,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert b"secret.py: error: cannot read: Permission denied" in result.stderr
    assert (tree / "open.py").read_bytes() == MIGRATED, result.stderr
