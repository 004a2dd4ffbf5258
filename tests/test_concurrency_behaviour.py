"""The ``concurrency`` codemod's rewrite, run: the original loop and the migrated one
against a real aiohttp.web server on 127.0.0.1 (results, speed, the first exception, the
other calls cancelled, the limit), the helper alone on every Python found (3.10 on), and
what ``asyncio.gather`` and ``asyncio.TaskGroup`` do instead."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import sys
import time
import types
import uuid
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import pytest

from async_migrate import migrate_source
from codemods.concurrency.helpers import DICT_HELPER_SOURCE, HELPER_SOURCE
from tests.behaviour import load
from tests.http_server import TRACKER, serve

SOURCE = """
import aiohttp


async def get_item(session, url, i):
    async with session.get(url, params={"n": str(i)}) as response:
        response.raise_for_status()
        return (await response.json())["n"]


async def get_all(session, url, ids):
    out = []
    for i in ids:
        out.append(await get_item(session, url, i))
    return out


async def get_all_or_status(session, url, ids):
    try:
        return await get_all(session, url, ids)
    except aiohttp.ClientResponseError as error:
        return ("failed", error.status)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The test server, cancelling a handler when its client goes away (so that it can
    tell a request the client cancelled from one it waited for)."""
    with serve(handler_cancellation=True) as base:
        yield base


def _modules(limit: int | None = None) -> tuple[types.ModuleType, types.ModuleType]:
    options = {"concurrency": {"concurrency_limit": limit}} if limit else {}
    migrated = migrate_source(SOURCE, ["concurrency"], options=options)
    assert [f.code for f in migrated.findings] == ["AM801"], migrated.findings
    assert "out = await _await_all([get_item(session, url, i) for i in ids]" in (
        migrated.code.decode()
    )
    return load(SOURCE, "original"), load(migrated.code, "migrated")


def _url(base: str, **query: object) -> tuple[str, str]:
    run = uuid.uuid4().hex
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return run, f"{base}/tracked/{run}?{params}"


def _run(function: Callable[..., Awaitable[object]], *args: object, run: str = "") -> object:
    """``function(session, *args)`` with a session of its own; with ``run``, what the
    server still has open of that run right after it returns or raises, while the
    session is still open (so that closing it cannot be what ends the requests), is
    checked before the session closes."""

    async def call() -> object:
        async with aiohttp.ClientSession() as session:
            try:
                return await function(session, *args)
            finally:
                if run:
                    assert await _settled(run, within=0.5), TRACKER.open[run]

    return asyncio.run(call())


def _timed(function: Callable[..., Awaitable[object]], *args: object) -> tuple[object, float]:
    start = time.perf_counter()
    result = _run(function, *args)
    return result, time.perf_counter() - start


async def _settled(run: str, within: float) -> bool:
    """True once the server has no request of ``run`` open, waiting at most ``within``."""
    deadline = time.monotonic() + within
    while TRACKER.open.get(run, 0) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return TRACKER.open.get(run, 0) == 0


@pytest.mark.timing
def test_results_equal_in_order_and_at_least_three_times_faster(server: str) -> None:
    original, migrated = _modules()
    ids = [1, 2, 3, 4, 5]
    _, url = _url(server, delay=0.2)
    before, before_time = _timed(original.get_all, url, ids)
    _, url = _url(server, delay=0.2)
    after, after_time = _timed(migrated.get_all, url, ids)
    print(f"5 requests of 0.2 s: loop {before_time:.3f} s, migrated {after_time:.3f} s")
    assert before == after == ids
    assert before_time >= 5 * 0.2 * 0.95  # the loop waits for each call in turn
    assert after_time * 3 <= before_time, (before_time, after_time)


def test_results_keep_the_loops_order_when_later_calls_finish_first(server: str) -> None:
    _, migrated = _modules()
    run, url = _url(server, delay=0.3, stagger=1)
    assert _run(migrated.get_all, url, [1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert list(TRACKER.ended[run]) == [5, 4, 3, 2, 1]  # the server answered in reverse


@pytest.mark.timing
def test_the_first_exception_propagates_as_itself_and_the_others_are_cancelled(
    server: str,
) -> None:
    original, migrated = _modules()
    ids = [1, 2, 3, 4, 5]

    # The loop: calls 1 and 2 succeed, 3 fails, 4 and 5 never start.
    run, url = _url(server, delay=0.1, fail=3)
    assert _run(original.get_all_or_status, url, ids) == ("failed", 500)
    assert TRACKER.ended[run] == {1: "done", 2: "done", 3: "done"}

    # Migrated: all start, 3 fails after 0.05 s, and the others (2 s each) are cancelled
    # before the exception reaches the caller (checked with the session still open).
    run, url = _url(server, delay=2, fail=3)
    start = time.perf_counter()
    result = _run(migrated.get_all_or_status, url, ids, run=run)
    assert result == ("failed", 500)  # the `except aiohttp.ClientResponseError` matched
    assert time.perf_counter() - start < 1.5
    cancelled = dict.fromkeys([1, 2, 4, 5], "cancelled")
    assert TRACKER.ended[run] == {3: "done", **cancelled}

    run, url = _url(server, delay=2, fail=3)
    with pytest.raises(aiohttp.ClientResponseError) as raised:
        _run(migrated.get_all, url, ids, run=run)
    assert type(raised.value) is aiohttp.ClientResponseError and raised.value.status == 500


def test_the_limit_holds(server: str) -> None:
    _, migrated = _modules(limit=2)
    run, url = _url(server, delay=0.2)
    result, elapsed = _timed(migrated.get_all, url, [1, 2, 3, 4, 5, 6])
    assert result == [1, 2, 3, 4, 5, 6]
    assert TRACKER.peak[run] == 2
    assert elapsed >= 3 * 0.2 * 0.95

    _, unlimited = _modules()
    run, url = _url(server, delay=0.2)
    _run(unlimited.get_all, url, [1, 2, 3, 4, 5, 6])
    assert TRACKER.peak[run] == 6


@pytest.mark.timing
def test_cancelling_the_caller_cancels_every_call(server: str) -> None:
    _, migrated = _modules(limit=3)
    run, url = _url(server, delay=2)

    async def cancel_soon(session: aiohttp.ClientSession) -> None:
        task = asyncio.ensure_future(migrated.get_all(session, url, [1, 2, 3, 4, 5]))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    _run(cancel_soon, run=run)
    assert TRACKER.ended[run] == {1: "cancelled", 2: "cancelled", 3: "cancelled"}


# -- the helper alone, on every Python found -------------------------------------

_HELPER_CHECKS = f"""
import asyncio
import gc
import sys
import warnings

warnings.simplefilter("error")
unraisable = []
sys.unraisablehook = unraisable.append

{HELPER_SOURCE}

{DICT_HELPER_SOURCE}

log = []
running = 0
peak = 0


async def call(i, fail=None, delay=0.04):
    global running, peak
    running += 1
    peak = max(peak, running)
    try:
        await asyncio.sleep(delay * (6 - i))
        if i == fail:
            raise ValueError(i)
        log.append(("done", i))
        return i * 10
    except asyncio.CancelledError:
        log.append(("cancelled", i))
        raise
    finally:
        running -= 1


def others():
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


async def main():
    global peak
    assert await _await_all([call(i) for i in range(1, 6)]) == [10, 20, 30, 40, 50]
    assert await _await_all_dict([(i % 2, call(i)) for i in range(1, 6)]) == {{1: 50, 0: 40}}
    assert await _await_all([]) == []

    log.clear()
    try:
        await _await_all([call(i, fail=4) for i in range(1, 6)])
    except ValueError as error:  # as itself, not in an ExceptionGroup
        assert error.args == (4,)
    else:
        raise AssertionError("no exception")
    assert not others(), others()  # the other calls finished before it propagated
    assert sorted(log) == [("cancelled", 1), ("cancelled", 2), ("cancelled", 3), ("done", 5)]

    peak = 0
    assert await _await_all([call(i) for i in range(1, 6)], limit=2) == [10, 20, 30, 40, 50]
    assert peak == 2, peak

    log.clear()
    task = asyncio.ensure_future(_await_all([call(i, delay=1) for i in range(1, 6)], limit=2))
    await asyncio.sleep(0.1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("not cancelled")
    assert not others(), others()
    assert sorted(log) == [("cancelled", 1), ("cancelled", 2)], log


asyncio.run(main())
gc.collect()
assert not unraisable, [u.exc_value for u in unraisable]  # no "never awaited" warning
print("ok", sys.version_info[:2])
"""


def _interpreter(minor: int) -> str | None:
    """A working ``python3.<minor>``, if this machine has one."""
    candidates = [shutil.which(f"python3.{minor}")]
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{pyenv}/versions/3.{minor}.*/bin/python3.{minor}"))
    if sys.version_info[:2] == (3, minor):
        candidates.insert(0, sys.executable)
    for candidate in candidates:
        if (
            candidate
            and subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0
        ):
            return candidate
    return None


@pytest.mark.parametrize("minor", [10, 11, 12, 13, 14])
def test_the_helper_behaves_alike_on_every_python(minor: int) -> None:
    python = _interpreter(minor)
    if python is None:
        pytest.skip(f"no python3.{minor} here")
    done = subprocess.run(
        [python, "-c", _HELPER_CHECKS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok (3, {minor})"


# -- what asyncio offers instead (the facts the helper is built around) ------------


async def _step(i: int, log: list[tuple[str, int]], fail: int) -> int:
    try:
        await asyncio.sleep(0.01 if i == fail else 0.2)
    except asyncio.CancelledError:
        log.append(("cancelled", i))
        raise
    if i == fail:
        raise ValueError(i)
    log.append(("done", i))
    return i


def test_gather_propagates_the_first_exception_and_leaves_the_others_running() -> None:
    async def run() -> None:
        log: list[tuple[str, int]] = []
        calls = [_step(i, log, fail=2) for i in (1, 2, 3)]
        with pytest.raises(ValueError):
            await asyncio.gather(*calls)
        running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert len(running) == 2 and log == []  # still running, not cancelled
        await asyncio.sleep(0.3)
        assert sorted(log) == [("done", 1), ("done", 3)]

    asyncio.run(run())


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup is Python 3.11+")
def test_taskgroup_cancels_the_others_but_raises_an_exception_group() -> None:
    async def run() -> None:
        log: list[tuple[str, int]] = []
        try:
            async with asyncio.TaskGroup() as group:  # type: ignore[attr-defined]
                for i in (1, 2, 3):
                    group.create_task(_step(i, log, fail=2))
        except ValueError:
            raise AssertionError("an except ValueError clause would match") from None
        except BaseException as error:  # noqa: B036 - the point is what it is
            assert type(error).__name__ == "ExceptionGroup"
            assert [type(e) for e in error.exceptions] == [ValueError]  # type: ignore[attr-defined]
        assert sorted(log) == [("cancelled", 1), ("cancelled", 3)]

    asyncio.run(run())
