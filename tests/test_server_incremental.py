"""After a change, the language server migrates only the coroutines that changed: its
findings are exactly those of migrating the whole buffer, however the buffer changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from async_migrate.server.analysis import Engine
from async_migrate.server.settings import Settings

ORIGINAL = """\
import json
import sqlite3
import time

import requests


def backoff():
    time.sleep(0.1)


def load_item(base, i):
    backoff()
    return requests.get(f"{base}/items/{i}").json()


async def fetch(url):
    r = requests.get(url, timeout=5)
    return r.status_code


async def pause():
    time.sleep(0.1)


async def count(path):
    conn = sqlite3.connect(path)
    return conn


async def item(base, i):
    return load_item(base, i)


async def save(path, data):
    with open(path, "w") as f:
        json.dump(data, f)
"""

CHANGES = {
    "within a line": ORIGINAL.replace(
        "time.sleep(0.1)\n\n\nasync def count", "time.sleep(0.2)\n\n\nasync def count"
    ),
    "a line added above others": ORIGINAL.replace(
        "    r = requests.get(url, timeout=5)\n",
        "    print(url)\n    r = requests.get(url, timeout=5)\n",
    ),
    "a line added to a sync helper": ORIGINAL.replace(
        "def backoff():\n", "def backoff():\n    print('waiting')\n"
    ),
    "an import removed": ORIGINAL.replace("import json\n", ""),
    "a coroutine removed": ORIGINAL.replace("async def pause():\n    time.sleep(0.1)\n\n\n", ""),
    "a syntax error": ORIGINAL.replace("async def pause():", "async def pause(:"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_partial_analysis_finds_what_a_whole_one_finds(change: str, tmp_path: Path) -> None:
    path = str(tmp_path / "app.py")
    resolved = Settings().resolve(path, str(tmp_path))
    engine = Engine()
    engine.analyse(ORIGINAL, resolved, path)
    changed = CHANGES[change]
    partial = engine.analyse(changed, resolved, path)
    whole = Engine().analyse(changed, resolved, path)
    assert partial.findings == whole.findings
    assert partial.unparsable == whole.unparsable
    if change in {"within a line", "a line added above others"}:
        assert partial.partial
        assert any("load_item -> requests.get (" in f.message for f in partial.findings)


def test_fix_all_after_a_partial_analysis_is_the_whole_migration(tmp_path: Path) -> None:
    path = str(tmp_path / "app.py")
    resolved = Settings().resolve(path, str(tmp_path))
    engine = Engine()
    engine.analyse(ORIGINAL, resolved, path)
    changed = CHANGES["within a line"]
    assert engine.analyse(changed, resolved, path).partial
    whole = engine.analyse(changed, resolved, path, whole=True)
    assert not whole.partial
    assert whole.new_text == Engine().analyse(changed, resolved, path).new_text != changed


def test_the_index_kept_between_analyses_follows_the_files_on_disk(tmp_path: Path) -> None:
    """The server keeps the project's index between analyses; a module changed on disk
    is indexed again, and the sites in the buffer follow it."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    util = tmp_path / "util.py"
    util.write_text("import time\n\n\ndef backoff():\n    time.sleep(0.1)\n")
    path = str(tmp_path / "app.py")
    text = "from util import backoff\n\n\nasync def retry():\n    backoff()\n"
    resolved = Settings().resolve(path, str(tmp_path))
    engine = Engine()
    assert [f.code for f in engine.analyse(text, resolved, path).findings] == ["AM651"]
    util.write_text("def backoff():\n    return None\n")
    assert engine.analyse(text, resolved, path).findings == []
