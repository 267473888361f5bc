"""Spreading a batch's per-kit work over the machine's cores.

Rendering a kit's files and drawing its QR code are Python CPU work, so one process does one kit at a
time however many cores the machine has. A batch is split among forked worker processes: forked, they
inherit the imported stack and the work's context (the catalogue, where bundles go), and only each kit
and its result cross between processes. A small batch stays in-process, where starting workers would
cost more than it saves. A failure in a worker is raised here, as it would be in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

KITS_PER_WORKER = 16  # below this many kits per worker, a worker's start-up outweighs what it saves

# The work, in each worker: handed over by the fork itself (a process's target and arguments are not
# pickled under fork), since a closure over the context cannot be pickled and need not be.
_in_worker: dict[str, Callable[[Any], Any]] = {}


def _receive(work: Callable[[Any], Any]) -> None:
    _in_worker["work"] = work


def _call(item: Any) -> Any:
    return _in_worker["work"](item)


def worker_count(items: int) -> int:
    return max(1, min(len(os.sched_getaffinity(0)), items // KITS_PER_WORKER))


def map_kits(work: Callable[[ItemT], ResultT], items: Sequence[ItemT]) -> list[ResultT]:
    """`work` applied to each item, in order; in forked workers when the batch is large enough."""
    workers = worker_count(len(items))
    if workers == 1:
        return [work(item) for item in items]
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=fork, initializer=_receive, initargs=(work,)) as pool:
        # Many small chunks each, so that the workers end together: with a few large ones, one worker
        # was still on its last chunk (~0.15 s of QR codes) after the other had finished.
        chunk = max(1, len(items) // (workers * 16))
        return list(pool.map(_call, items, chunksize=chunk))
