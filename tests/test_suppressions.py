"""Suppression comments through the real command (the per-shape cases are fixtures in
``tests/fixtures/sleep/suppression_comments.py`` and ``skip_file_comment*.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods.core.suppressions import Suppression, parse_comment, skips_file
from tests.conftest import run_cli

SOURCE = (
    b"import time\n\n\nasync def f(loop):\n"
    b"    time.sleep(1)  # async-migrate: ignore\n"
    b"    loop.call_soon(time.sleep, 1)  # noqa: AM102\n"
    b"    loop.call_soon(time.sleep, 2)\n"
    b"    time.sleep(3)\n"
)
EXPECTED = (
    b"import asyncio\nimport time\n\n\nasync def f(loop):\n"
    b"    time.sleep(1)  # async-migrate: ignore\n"
    b"    loop.call_soon(time.sleep, 1)  # noqa: AM102\n"
    b"    loop.call_soon(time.sleep, 2)\n"
    b"    await asyncio.sleep(3)\n"
)


def test_suppressed_calls_are_left_alone_and_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(SOURCE)
    result = run_cli("app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == EXPECTED
    lines = result.stderr.decode().splitlines()
    assert lines[:-1] == ["app.py:7:20: AM102 " + lines[0].split(" AM102 ", 1)[1]]
    assert "1 rewrite, 1 finding left" in lines[-1]


def test_skip_file_leaves_the_file_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    data = b'"""Doc."""\n# async-migrate: skip-file\n' + SOURCE
    path.write_bytes(data)
    result = run_cli("--check", "-v", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == data
    assert b"app.py: skipped (# async-migrate: skip-file)" in result.stderr
    assert b"1 file scanned, 1 skipped, 0 would change" in result.stderr


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("# async-migrate: ignore", None),
        ("# async-migrate: ignore[AM101]", {"AM101"}),
        ("# async-migrate:ignore[am101, AM102]", {"AM101", "AM102"}),
        ("# noqa", None),
        ("# NOQA", None),
        ("# noqa: AM101", {"AM101"}),
        ("# noqa:AM101,ASYNC251", {"AM101", "ASYNC251"}),
        ("# noqa: E501 AM103", {"E501", "AM103"}),
        ("# type: ignore  # noqa: AM101", {"AM101"}),
        ("# noqa: AM101  # expect: AM103", {"AM101"}),
    ],
)
def test_parse_comment(comment: str, codes: set[str] | None) -> None:
    assert parse_comment(comment) == Suppression(None if codes is None else frozenset(codes))


@pytest.mark.parametrize(
    "comment", ["# a comment", "# async-migrate: skip-file", "# expect: AM101", "# no qa"]
)
def test_other_comments_suppress_nothing(comment: str) -> None:
    assert parse_comment(comment) is None


def test_skips_file_only_near_the_top() -> None:
    assert skips_file(b"# async-migrate: skip-file\nimport time\n")
    assert skips_file(b"\xef\xbb\xbf#!/usr/bin/env python\n  #async-migrate:skip-file\n")
    assert skips_file(b"\n" * 9 + b"# async-migrate: skip-file\n")
    assert not skips_file(b"\n" * 10 + b"# async-migrate: skip-file\n")
    assert not skips_file(b"x = 1  # async-migrate: skip-file\n")
    assert not skips_file(b"import time\n")
