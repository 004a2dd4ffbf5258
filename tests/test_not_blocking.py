"""benchmarks/not_blocking.py: which ruff ASYNC222 findings sit on calls that do not block.

Each line below marked ``# idle`` must be classified as not blocking, each marked ``# blocks``
must stay a finding; ruff must flag every marked line (else the case tests nothing).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"

SOURCE = """\
import os
import os as system
from os import WNOHANG, WUNTRACED, wait4, waitpid
from os import waitpid as reap


async def main(pid, flags, args):
    os.waitpid(pid, os.WNOHANG)  # idle
    done, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)  # idle
    waitpid(pid, WNOHANG)  # idle
    reap(pid, WUNTRACED | WNOHANG)  # idle
    system.wait4(pid, options=system.WNOHANG)  # idle
    wait4(pid, WNOHANG)  # idle
    os.wait3(os.WNOHANG)  # idle
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG)  # idle
    é = 1; os.waitpid(pid, os.WNOHANG)  # idle
    os.waitpid(pid, 0)  # blocks
    os.waitpid(pid, flags)  # blocks
    os.waitpid(pid, os.WUNTRACED)  # blocks
    os.waitpid(*args)  # blocks
    os.waitpid(pid, *args)  # blocks
    os.wait()  # blocks
    os.wait3(0)  # blocks
    os.waitid(os.P_PID, pid, os.WEXITED)  # blocks
    os.waitpid(pid, os.WNOHANG & flags)  # blocks
    os.waitpid(pid, 0); os.waitpid(pid, os.WNOHANG)  # blocks idle
"""

SHADOWED = """\
import os
from os import WNOHANG


async def main(pid):
    os.waitpid(pid, WNOHANG)  # blocks


WNOHANG = 0
"""


def _load():
    spec = importlib.util.spec_from_file_location(
        "not_blocking", REPO / "benchmarks" / "not_blocking.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


not_blocking = _load()


def _ruff(path: Path) -> list[dict]:
    cmd = [str(RUFF), "check", "--isolated", "--no-cache", "--exit-zero", "--select", "ASYNC222"]
    done = subprocess.run(
        [*cmd, "--output-format", "json", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("source", [SOURCE, SHADOWED], ids=["shapes", "shadowed"])
def test_classifies_exactly_the_calls_that_do_not_block(tmp_path: Path, source: str) -> None:
    path = tmp_path / "case.py"
    path.write_text(source, encoding="utf-8")
    seen: dict[int, list[str]] = {}
    for item in _ruff(path):
        start, end = item["location"], item["end_location"]
        span = not_blocking.Span(start["row"], start["column"], end["row"], end["column"])
        why = not_blocking.classify(source, item["code"], span)
        seen.setdefault(start["row"], []).append("idle" if why else "blocks")
    expected = {
        number: line.split("# ", 1)[1].split()
        for number, line in enumerate(source.splitlines(), 1)
        if "# idle" in line or "# blocks" in line
    }
    assert seen == expected


def test_other_codes_and_syntax_errors_stay_findings() -> None:
    span = not_blocking.Span(2, 5, 2, 15)
    source = "async def f(pid):\n    os.waitpid(pid, os.WNOHANG)\nimport os\n"
    assert not_blocking.classify(source, "ASYNC222", span)
    assert not_blocking.classify(source, "ASYNC221", span) is None
    assert not_blocking.classify(source + "def (:\n", "ASYNC222", span) is None
