"""Timing helpers shared by the benchmark scripts: wall time of whole commands, medians, ratios."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VARDMOTE = str(Path(PYTHON).parent / "vardmote")


@dataclass(frozen=True)
class Timing:
    label: str
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


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
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=not allow_failure, capture_output=True, cwd=REPO, env=environment)
        samples.append(time.perf_counter() - start)
    return Timing(label, samples)


def report(title: str, baseline: Timing, measured: Timing, target_ratio: float) -> bool:
    ratio = measured.median / baseline.median
    verdict = "meets" if ratio <= target_ratio else "MISSES"
    print(title)
    for timing in (baseline, measured):
        runs = ", ".join(f"{r:.3f}" for r in timing.runs)
        print(f"  {timing.label:<55} median {timing.median:.3f} s  (runs: {runs})")
    print(f"  ratio {ratio:.2f}× (target ≤ {target_ratio}×): {verdict} the target")
    return ratio <= target_ratio
