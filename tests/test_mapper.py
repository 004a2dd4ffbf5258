"""concurrency.Mapper, which the project index uses: results in the order of the items,
small batches in this process, a worker that dies costs its items only (they get the
``failed`` result), and leaving the block stops the workers."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from async_migrate.runner.concurrency import Mapper

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork")


def _pid_and_square(item: int) -> tuple[int, int]:
    return os.getpid(), item * item


def _dies_at_seven(item: int) -> int:
    if item == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def _failed(item: int, how: str) -> tuple[int, int]:
    return -1, item


def test_results_come_in_order_from_the_workers_once_a_batch_is_big_enough() -> None:
    with Mapper(2, _pid_and_square, _failed, least=8) as mapper:
        small = mapper.map([1, 2, 3])
        assert small == [(os.getpid(), n * n) for n in (1, 2, 3)]
        big = mapper.map(list(range(100)))
        assert [square for _, square in big] == [n * n for n in range(100)]
        assert os.getpid() not in {pid for pid, _ in big}
        # Started, the workers take any batch of two or more.
        again = mapper.map([4, 5])
        assert os.getpid() not in {pid for pid, _ in again}
        workers = {pid for pid, _ in big + again}
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)


def test_one_worker_does_everything_here() -> None:
    with Mapper(1, _pid_and_square, _failed, least=1) as mapper:
        assert {pid for pid, _ in mapper.map(list(range(50)))} == {os.getpid()}


def test_a_worker_that_dies_costs_its_items_only() -> None:
    with Mapper(2, _dies_at_seven, lambda item, how: f"{item}: {how}", least=2) as mapper:
        results = mapper.map(list(range(40)))
    # Chunks of one item here (40 items, 2 workers); a worker holds two at a time.
    lost = [n for n, r in enumerate(results) if r == f"{n}: killed by signal 9"]
    assert 7 in lost and len(lost) <= 2
    assert all(r == n for n, r in enumerate(results) if n not in lost)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True
