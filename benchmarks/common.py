"""Timing helpers shared by the benchmark scripts: wall and CPU time of whole commands, medians, ratios."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VARDMOTE = str(Path(PYTHON).parent / "vardmote")


@dataclass(frozen=True)
class Timing:
    label: str
    runs: list[float]
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the command and its children

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None


def _run_once(command: Sequence[str], environment: dict[str, str], allow_failure: bool) -> tuple[float, float]:
    """One run's wall time and CPU time (user + system of the command's whole process tree)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=not allow_failure, capture_output=True, cwd=REPO, env=environment)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_interleaved(
    commands: Sequence[tuple[str, Sequence[str]]], runs: int, *, warmup: int = 1, env: dict[str, str] | None = None
) -> list[Timing]:
    """Wall and CPU time of each command, the commands taking turns run after run (A B A B …), so that
    whatever else the machine does weighs on all of them alike."""
    environment = {**os.environ, **(env or {})}
    for _ in range(warmup):
        for _, command in commands:
            _run_once(command, environment, False)
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, (_, command) in enumerate(commands):
            wall, cpu = _run_once(command, environment, False)
            walls[index].append(wall)
            cpus[index].append(cpu)
    return [Timing(label, walls[i], cpus[i]) for i, (label, _) in enumerate(commands)]


def time_command(
    label: str,
    command: Sequence[str],
    runs: int,
    *,
    warmup: int = 1,
    env: dict[str, str] | None = None,
    allow_failure: bool = False,
) -> Timing:
    """Wall time of `command`, `runs` times after `warmup` untimed runs; fails loudly if it fails (unless
    a failing exit status is what is measured)."""
    environment = {**os.environ, **(env or {})}
    for _ in range(warmup):
        subprocess.run(command, check=not allow_failure, capture_output=True, cwd=REPO, env=environment)
    samples, cpu = [], []
    for _ in range(runs):
        wall, used = _run_once(command, environment, allow_failure)
        samples.append(wall)
        cpu.append(used)
    return Timing(label, samples, cpu)


def report(title: str, baseline: Timing, measured: Timing, target_ratio: float) -> bool:
    ratio = measured.median / baseline.median
    verdict = "meets" if ratio <= target_ratio else "MISSES"
    print(title)
    for timing in (baseline, measured):
        runs = ", ".join(f"{r:.3f}" for r in timing.runs)
        cpu = f", CPU {timing.cpu_median:.3f} s" if timing.cpu_median is not None else ""
        print(f"  {timing.label:<55} median {timing.median:.3f} s wall{cpu}  (runs: {runs})")
    print(f"  ratio {ratio:.2f}× wall (target ≤ {target_ratio}×): {verdict} the target")
    if baseline.cpu_median and measured.cpu_median is not None:
        print(f"  ratio {measured.cpu_median / baseline.cpu_median:.2f}× CPU")
    return ratio <= target_ratio
