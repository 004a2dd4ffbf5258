"""concurrency.Mapper, which the project index uses: results in the order of the items,
small batches in this process, a worker that dies costs its items only (they get the
``failed`` result), and leaving the block stops the workers. The pool under it hands the
items said to cost the most out first, one to each worker."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from async_migrate.runner.concurrency import Mapper, _chunks, _Pool

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


_done_here: list[int] = []


def _pid_and_rank(item: int) -> tuple[int, int, int]:
    """The worker, the item, and how many items this worker did before it."""
    _done_here.append(item)
    return os.getpid(), item, len(_done_here) - 1


def test_the_costly_items_go_first_one_to_each_worker_and_come_back_in_order() -> None:
    assert _chunks(10, 3, [7, 2]) == (
        [(0, 2), (2, 3), (3, 6), (6, 7), (7, 8), (8, 10)],
        [7, 2, 0, 3, 6, 8],
    )
    pool = _Pool(_pid_and_rank, _failed)
    try:
        pool.start(2)
        results = list(pool.run(list(range(40)), 4, first=[30, 12]))
        pool.close()
    finally:
        pool.kill()
    assert [item for _, item, _ in results] == list(range(40))
    assert results[30][2] == results[12][2] == 0  # each the first its worker did
    assert results[30][0] != results[12][0]


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True
