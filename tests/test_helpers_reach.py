"""Which modules the ``helpers`` analysis reads: those the resolution of its coroutines'
calls looks in, and of the sync functions they reach, to any depth; the sites found from
them are those found with every module of the project."""

from __future__ import annotations

from codemods.core.index import ModuleRecord, index_module
from codemods.helpers.analysis import Project
from codemods.helpers.reach import reach

#: A package whose coroutines (in ``app.api``) reach helpers through a re-export in an
#: ``__init__``, ``import a.b as c``, ``from . import x``, a base class in another module
#: and a context variable re-exported by a third; ``app.unused`` and ``app.other`` are
#: imported but nothing reached calls into them, ``app.cli`` imports nothing reached.
PROJECT = {
    "app": b"from .catalog import load_item\n",
    "app.api": b"""\
import app
import app.util as u
from app import unused
from app.store import Cached
from app.log import start


async def item(i):
    return app.load_item(i)


async def pause():
    u.backoff(2)


class Handler(Cached):
    async def put(self, data):
        self._write(data)
        start("rid")
        await self.flush()
        unused.helper_not_called


async def later():
    await app.other.nothing()
""",
    "app.catalog": b"""\
from . import util


def load_item(i):
    util.backoff(1)
    return i
""",
    "app.util": b"""\
import time


def backoff(attempt):
    time.sleep(0.05 * attempt)
""",
    "app.store": b"""\
from app.base import FileStore


class Cached(FileStore):
    pass
""",
    "app.base": b"""\
class FileStore:
    def _write(self, data):
        with open("f", "w") as f:
            f.write(data)
""",
    "app.log": b"""\
from app.state import request_id


def start(rid):
    request_id.set(rid)
    with open("requests.log", "a") as f:
        f.write(rid)
""",
    "app.state": b"from app.ctx import request_id\n",
    "app.ctx": b"from contextvars import ContextVar\n\nrequest_id = ContextVar('r')\n",
    "app.unused": b"import time\n\n\ndef helper():\n    time.sleep(1)\n",
    "app.other": b"import time\n\n\ndef nothing():\n    time.sleep(1)\n",
    "app.cli": b"import time\n\n\ndef main():\n    time.sleep(1)\n",
}


def _record(module: str) -> ModuleRecord:
    path = module.replace(".", "/") + ("/__init__.py" if module == "app" else ".py")
    record = index_module(PROJECT[module], module, path)
    assert record is not None
    return record


def _reached() -> tuple[list[ModuleRecord], list[list[str]]]:
    asked: list[list[str]] = []

    def fetch(names: list[str]) -> list[ModuleRecord]:
        asked.append(names)
        return [_record(n) for n in names if n in PROJECT]

    return reach([_record("app.api")], fetch), asked


def test_only_the_modules_the_calls_lead_to_are_read() -> None:
    records, asked = _reached()
    read = {r.module for r in records}
    assert read == set(PROJECT) - {"app.unused", "app.other", "app.cli"}
    assert all(names == sorted(names) for names in asked)
    assert not any("app.unused" in names or "app.cli" in names for names in asked)


def test_the_sites_are_those_found_with_every_module() -> None:
    records, _ = _reached()
    everything = Project([_record(m) for m in PROJECT])
    reached = Project(records)
    sites = reached.sites("app.api")
    assert sites == everything.sites("app.api")
    assert [(s.coroutine, s.target, s.refusal != "") for s in sites] == [
        ("item", "load_item", False),
        ("pause", "backoff", False),
        ("Handler.put", "FileStore._write", False),
        ("Handler.put", "start", True),
    ]
