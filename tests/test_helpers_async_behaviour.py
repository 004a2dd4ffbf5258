"""``helpers-mode = "async"`` on a real package: coroutines call helpers in other modules
that sleep, read and write real temp files and GET a real local aiohttp server with
requests. The original and the migrated package run as subprocesses: they return the
same, the helpers became coroutines (migrated by the other codemods), the helper with a
sync caller stayed sync and is offloaded, and the migrated handlers run together."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from aiohttp import web

from tests.behaviour import http_server
from tests.conftest import run_cli

FILES = {
    "shop/__init__.py": "",
    "shop/util.py": "import time\n\n\ndef backoff():\n    time.sleep(0.3)\n",
    "shop/catalog.py": (
        "import requests\n\nfrom .util import backoff\n\n\n"
        "def read_config(path):\n"
        "    with open(path) as f:\n"
        "        return f.read().strip()\n\n\n"
        "def load_item(path, i):\n"
        "    backoff()\n"
        "    with open(path) as f:\n"
        "        return f.read().strip() + str(i)\n\n\n"
        "def fetch_price(base, i):\n"
        '    response = requests.get(f"{base}/price/{i}", timeout=5)\n'
        "    response.raise_for_status()\n"
        '    return response.json()["price"]\n'
    ),
    "shop/store.py": (
        "import json\n\nfrom shop.util import backoff\n\n\n"
        "class Store:\n"
        "    def __init__(self, root):\n"
        "        self.root = root\n\n"
        "    def _write(self, name, data):\n"
        "        backoff()\n"
        '        with open(f"{self.root}/{name}.json", "w") as f:\n'
        "            json.dump(data, f)\n\n"
        "    async def put(self, name, data):\n"
        "        self._write(name, data)\n"
        "        return name\n"
    ),
    # A sync caller: read_config stays sync in async mode.
    "shop/cli.py": (
        "import sys\n\nfrom shop.catalog import read_config\n\n\n"
        "def main():\n"
        "    print(read_config(sys.argv[1]))\n"
    ),
    "main.py": (
        "import asyncio\nimport json\nimport sys\nimport time\n\n"
        "from shop.catalog import fetch_price, load_item, read_config\n"
        "from shop.store import Store\n\n\n"
        "async def handler(root, base, i):\n"
        '    item = load_item(f"{root}/item.txt", i)\n'
        "    price = fetch_price(base, i)\n"
        "    return [item, price]\n\n\n"
        "async def main(root, base):\n"
        '    config = read_config(f"{root}/config.txt")\n'
        "    started = time.perf_counter()\n"
        "    items = await asyncio.gather(*(handler(root, base, i) for i in range(4)))\n"
        "    store = Store(root)\n"
        '    names = await asyncio.gather(*(store.put(f"n{i}", {"i": i}) for i in range(4)))\n'
        "    elapsed = time.perf_counter() - started\n"
        "    saved = []\n"
        "    for i in range(4):\n"
        '        with open(f"{root}/n{i}.json") as f:\n'
        "            saved.append(json.load(f))\n"
        '    result = {"config": config, "items": items, "names": names, "saved": saved}\n'
        '    print(json.dumps({**result, "s": elapsed}))\n\n\n'
        "asyncio.run(main(sys.argv[1], sys.argv[2]))\n"
    ),
}


def _routes() -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.get("/price/{i}")
    async def price(request: web.Request) -> web.Response:
        await asyncio.sleep(0.1)
        return web.json_response({"price": int(request.match_info["i"]) * 10})

    return routes


def _run(project: Path, data: Path, base: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "main.py", str(data), base],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_async_mode_package_behaves_the_same_and_runs_concurrently(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    data = tmp_path / "data"
    data.mkdir()
    (data / "item.txt").write_text("item-\n")
    (data / "config.txt").write_text("debug=1\n")

    with http_server(_routes()) as base:
        before = _run(project, data, base)
        for i in range(4):
            (data / f"n{i}.json").unlink()
        migrated = run_cli("--no-cache", "--helpers-mode", "async", ".", cwd=project)
        assert migrated.returncode == 0, migrated.stderr.decode()
        after = _run(project, data, base)

    util = (project / "shop" / "util.py").read_text()
    catalog = (project / "shop" / "catalog.py").read_text()
    store = (project / "shop" / "store.py").read_text()
    main = (project / "main.py").read_text()
    assert "async def backoff():\n    await asyncio.sleep(0.3)" in util
    assert "async def load_item(path, i):\n    await backoff()" in catalog
    assert "async def fetch_price(base, i):" in catalog and "aiohttp" in catalog
    assert "def read_config(path):" in catalog and "async def read_config" not in catalog
    assert "async def _write(self, name, data):" in store
    assert "await self._write(name, data)" in store
    assert "await asyncio.to_thread(read_config, " in main
    assert "item = await load_item(" in main and "price = await fetch_price(base, i)" in main
    assert (project / "shop" / "cli.py").read_text() == FILES["shop/cli.py"]

    for key in ("config", "items", "names", "saved"):
        assert after[key] == before[key], key
    assert before["items"] == [[f"item-{i}", i * 10] for i in range(4)]
    # One at a time: 4 x (0.3 s sleep + 0.1 s request) + 4 x 0.3 s = 2.8 s; together, about
    # 0.4 + 0.3 s. Generous: the machine is shared.
    assert isinstance(before["s"], float) and isinstance(after["s"], float)
    assert before["s"] >= 2.7
    assert after["s"] <= 0.6 * before["s"], (before["s"], after["s"])
