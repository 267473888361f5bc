"""The per-kit fan-out: forked workers, results in order, failures raised as in-process."""

from __future__ import annotations

import os
import threading
import time

import pytest

from vardmote.kits import fan_out


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cores, whatever this machine has, so the forked path is the one tested."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})


def test_a_large_batch_runs_in_forked_workers_and_keeps_its_order(two_cores: None) -> None:
    lock = threading.Lock()  # the work closes over something that cannot be pickled

    def work(item: int) -> tuple[int, int]:
        with lock:
            time.sleep(0.002)  # long enough that no worker drains the queue before the other starts
            return item * item, os.getpid()

    results = fan_out.map_kits(work, list(range(100)))
    assert [square for square, _ in results] == [n * n for n in range(100)]
    workers = {pid for _, pid in results}
    assert os.getpid() not in workers
    assert len(workers) == 2


def test_a_small_batch_stays_in_process(two_cores: None) -> None:
    results = fan_out.map_kits(lambda item: os.getpid(), list(range(fan_out.KITS_PER_WORKER * 2 - 1)))
    assert set(results) == {os.getpid()}


def test_a_failure_in_a_worker_is_raised_here(two_cores: None) -> None:
    def work(item: int) -> int:
        if item == 77:
            raise ValueError(f"kit {item}: cannot write its bundle")
        return item

    with pytest.raises(ValueError, match="kit 77: cannot write its bundle"):
        fan_out.map_kits(work, list(range(100)))
