"""The project index's parse of a module of the run also answers the cheap stages (which
codemods may act in it, in which coroutines), and the worker that migrates the module
takes those answers while the module is the one the index read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from async_migrate.engine.migrate import cheap_answers, migrate_source, remember
from async_migrate.runner.discovery import Excludes
from async_migrate.runner.processing import Job, process
from async_migrate.runner.project import build
from codemods.registry import CODEMODS

_OTHERS = tuple(name for name in CODEMODS if name != "helpers")
_SLEEPS = b"import time\n\n\nasync def pause():\n    time.sleep(1)\n"
_QUIET = b"async def double(x):\n    return 2 * x\n"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    """What a test made this process remember is not left to the next test."""
    yield
    remember(b"", frozenset(), {})


def test_the_index_answers_the_cheap_stages_for_each_module_of_the_run(
    tmp_path: Path,
) -> None:
    """Asked of the run's modules with a coroutine only: not of a module outside the paths
    that the index reads because a coroutine calls into it."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (tmp_path / "lib.py").write_bytes(
        b"import time\n\n\ndef helper():\n    time.sleep(1)\n\n\nasync def other():\n    pass\n"
    )
    app = tmp_path / "app"
    app.mkdir()
    (app / "sleeps.py").write_bytes(_SLEEPS)
    (app / "quiet.py").write_bytes(_QUIET)
    (app / "calls.py").write_bytes(b"from lib import helper\n\n\nasync def go():\n    helper()\n")
    (app / "plain.py").write_bytes(b"def double(x):\n    return 2 * x\n")
    project = build([str(app)], Excludes(), None, cheap=(_OTHERS, {}))
    assert project.of(str(app / "calls.py"))  # lib.py was read: its helper blocks
    by_name = {Path(path).name: told for path, told in project.told.items()}
    assert set(by_name) == {"sleeps.py", "quiet.py", "calls.py"}  # plain.py: no coroutine
    assert by_name["quiet.py"] == (hashlib.sha256(_QUIET).hexdigest(), {})
    assert by_name["sleeps.py"][1] == {"sleep": frozenset({4}), "offload": frozenset({4})}


def test_the_engine_takes_what_it_is_told_for_those_bytes_only() -> None:
    assert cheap_answers(_SLEEPS, ["sleep", "files"], {}) == {"sleep": frozenset({4})}
    remember(_SLEEPS, frozenset({"sleep"}), {})
    assert not migrate_source(_SLEEPS, ["sleep"]).changed  # taken as told, not looked at
    remember(_SLEEPS, frozenset({"sleep"}), {"sleep": frozenset()})
    assert not migrate_source(_SLEEPS, ["sleep"]).changed  # in none of its coroutines
    remember(_SLEEPS, frozenset({"sleep"}), {"sleep": frozenset({4})})
    assert migrate_source(_SLEEPS, ["sleep"]).changed
    edited = _SLEEPS.replace(b"(1)", b"(2)")
    assert migrate_source(edited, ["sleep"]).changed


def test_a_module_changed_since_the_index_read_it_is_looked_at_again(tmp_path: Path) -> None:
    path = tmp_path / "sleeps.py"
    path.write_bytes(_SLEEPS)
    stale = (hashlib.sha256(_QUIET).hexdigest(), frozenset({"sleep"}), {})
    job = Job(str(path), "sleeps.py", ("sleep",), write=False, diff=False, told=stale)
    assert process(job).changed
    current = (hashlib.sha256(_SLEEPS).hexdigest(), frozenset({"sleep"}), {})
    job = Job(str(path), "sleeps.py", ("sleep",), write=False, diff=False, told=current)
    assert not process(job).changed  # the same bytes: the index's answer stands


def test_a_run_that_read_every_file_from_the_cache_leaves_the_cache_file_alone(
    tmp_path: Path,
) -> None:
    """Written again only when an entry changed: a file touched (a new modification
    time) is, a run with nothing new is not."""
    import os

    from async_migrate.runner.indexing import Files

    source = tmp_path / "app.py"
    source.write_text("async def f():\n    return 1\n")
    cache = tmp_path / "cache"

    def run() -> None:
        with Files([str(tmp_path)], str(cache), {}) as files:
            files.read([str(source)])
            files.save()

    run()
    (written,) = cache.iterdir()
    os.utime(written, ns=(1, 1))
    run()
    assert written.stat().st_mtime_ns == 1
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    run()
    assert written.stat().st_mtime_ns != 1
