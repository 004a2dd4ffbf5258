"""Library use: the Python API (as docs/library.md shows it) and libcst's own codemod
runner (``python -m libcst.tool codemod``, in a real subprocess, set up as that page
says)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from async_migrate import InternalError, SourceError, migrate_source
from codemods.core.findings import Finding
from codemods.registry import UnknownCodemod
from codemods.sleep.command import SleepCommand

PAGE = Path(__file__).resolve().parent.parent / "docs" / "library.md"
SOURCE = "import time\n\nasync def f():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n"


def _page_block(after: str, language: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(text, start)
    assert match, (after, language)
    return match.group(1)


def test_api_example_from_the_docs() -> None:
    example = _page_block("## Python API", "python")
    namespace: dict[str, object] = {}
    exec(compile(example, str(PAGE), "exec"), namespace)
    result = namespace["result"]
    assert result.code == MIGRATED
    assert result.changed is True
    assert result.findings == [
        Finding(4, 5, "AM101", "time.sleep -> await asyncio.sleep", fixed=True)
    ]
    assert result.left == [] and result.rewrites == result.findings
    # The values the page's comments promise.
    assert repr(MIGRATED) in example
    assert "Finding(line=4, col=5, code='AM101'" in example


def test_api_select_ignore_and_codemod_names() -> None:
    assert migrate_source(SOURCE, ["sleep"]).code == MIGRATED
    assert migrate_source(SOURCE, [SleepCommand]).code == MIGRATED
    assert migrate_source(SOURCE.encode(), select=["sleep"]).code == MIGRATED
    ignored = migrate_source(SOURCE, ignore=["sleep", "offload"])
    assert not ignored.changed and ignored.code == SOURCE.encode() and ignored.findings == []
    with pytest.raises(UnknownCodemod):
        migrate_source(SOURCE, select=["nap"])


def test_api_skip_file_suppressions_and_errors() -> None:
    skipped = migrate_source("# async-migrate: skip-file\n" + SOURCE)
    assert skipped.skipped and not skipped.changed
    suppressed = migrate_source(SOURCE.replace("(1)", "(1)  # noqa: ASYNC251"))
    assert not suppressed.changed and suppressed.findings == []
    with pytest.raises(SourceError):
        migrate_source("async def f(:\n    time.sleep(1)\n")
    assert issubclass(InternalError, Exception)


def test_libcst_codemod_runner(tmp_path: Path) -> None:
    config = _page_block("## With libcst's codemod runner", "yaml")
    command = _page_block("python -m libcst.tool codemod` runs it", "sh").strip()
    (tmp_path / ".libcst.codemod.yaml").write_text(config)
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text(
        "import time\n\n\nasync def f(loop):\n"
        "    time.sleep(1)\n"
        "    time.sleep(2)  # async-migrate: ignore\n"
        "    loop.call_soon(time.sleep, 1)\n"
    )
    (src / "sync.py").write_text("import time\n\n\ndef g():\n    time.sleep(1)\n")
    argv = command.split()
    assert argv[:4] == ["python", "-m", "libcst.tool", "codemod"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert (src / "app.py").read_text() == (
        "import asyncio\nimport time\n\n\nasync def f(loop):\n"
        "    await asyncio.sleep(1)\n"
        "    time.sleep(2)  # async-migrate: ignore\n"
        "    loop.call_soon(time.sleep, 1)\n"
    )
    assert (src / "sync.py").read_text() == "import time\n\n\ndef g():\n    time.sleep(1)\n"
    assert "WARNING: 7:20: AM102 time.sleep referenced but not called here" in output
    listed = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "list"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert "sleep.command.SleepCommand - time.sleep(x) in a coroutine" in listed.stdout.decode()
