"""Programs whose coroutines block through the project's own helpers, in other modules:
the migrated program returns what the original returns, and runs its handlers together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

FILES = {
    "shop/__init__.py": "",
    "shop/util.py": "import time\n\n\ndef backoff():\n    time.sleep(0.2)\n",
    "shop/catalog.py": (
        "from .util import backoff\n\n\n"
        "def load_item(path, i):\n"
        "    backoff()\n"
        "    with open(path) as f:\n"
        "        return f.read().strip() + str(i)\n"
    ),
    "shop/store.py": (
        "import json\n\nfrom shop.util import backoff\n\n\n"
        "class Store:\n"
        "    def __init__(self, root):\n"
        "        self.root = root\n\n"
        "    def _write(self, name, data):\n"
        "        backoff()\n"
        "        with open(f'{self.root}/{name}.json', 'w') as f:\n"
        "            json.dump(data, f)\n\n"
        "    async def put(self, name, data):\n"
        "        self._write(name, data)\n"
        "        return name\n"
    ),
    "main.py": (
        "import asyncio\nimport json\nimport sys\nimport time\n\n"
        "from shop.catalog import load_item\nfrom shop.store import Store\n\n\n"
        "async def handler(path, i):\n"
        "    return load_item(path, i)\n\n\n"
        "async def main(root):\n"
        "    started = time.perf_counter()\n"
        "    items = await asyncio.gather(*(handler(f'{root}/item.txt', i) for i in range(5)))\n"
        "    store = Store(root)\n"
        "    names = await asyncio.gather(*(store.put(f'n{i}', {'i': i}) for i in range(5)))\n"
        "    elapsed = time.perf_counter() - started\n"
        "    saved = [json.load(open(f'{root}/n{i}.json')) for i in range(5)]\n"
        "    result = {'items': items, 'names': names, 'saved': saved, 's': elapsed}\n"
        "    print(json.dumps(result))\n\n\n"
        "asyncio.run(main(sys.argv[1]))\n"
    ),
}


def _run(project: Path, data: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "main.py", str(data)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.timing
def test_migrated_package_behaves_the_same_and_runs_concurrently(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    data = tmp_path / "data"
    data.mkdir()
    (data / "item.txt").write_text("item-")

    before = _run(project, data)
    migrated = run_cli("--no-cache", ".", cwd=project)
    assert migrated.returncode == 0, migrated.stderr.decode()
    assert "await asyncio.to_thread(load_item, path, i)" in (project / "main.py").read_text()
    assert (
        "await asyncio.to_thread(self._write, name, data)"
        in (project / "shop" / "store.py").read_text()
    )
    after = _run(project, data)

    for key in ("items", "names", "saved"):
        assert after[key] == before[key], key
    # 2 x 5 sleeps of 0.2 s: 2 s one at a time, about 0.4 s when they overlap.
    assert isinstance(before["s"], float) and isinstance(after["s"], float)
    assert before["s"] >= 1.9
    assert after["s"] <= 0.5 * before["s"], (before["s"], after["s"])
