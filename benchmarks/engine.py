"""The lab stack under the real Pulumi engine: `pulumi preview --stack lab` against `vardmote preview
--stack lab`, and a no-change `pulumi up --yes` (its preview included) against that same no-change
`pulumi preview`, interleaved round by round in one run.

Target (engine issue): the no-change `up` within 3× the no-change `preview`. The engine's preview is
also shown beside the offline one (no target: it says what the engine's processes and gRPC cost).
The stack lives in a temporary backend made for the run, and is destroyed after it. Its first `up`
configures the lab's Management API, so the lab must be up:

    sudo .venv/bin/vardmote lab up && sudo .venv/bin/python -m benchmarks.engine [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import REPO, VARDMOTE
from vardmote.lab.layout import CA_PUBLISHED
from vardmote.platform.engine import LAB_STACK, engine_environment, ensure_stack, find_pulumi

TARGET_RATIO = 3.0


@dataclass
class Samples:
    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def line(self) -> str:
        runs = ", ".join(f"{r:.3f}" for r in self.wall)
        return (
            f"  {self.label:<46} median {statistics.median(self.wall):.3f} s wall, "
            f"{statistics.median(self.cpu):.3f} s CPU  (wall runs: {runs})"
        )


def timed(command: Sequence[str], env: dict[str, str], samples: Samples | None) -> None:
    """Run `command` once; record its wall time and its children's CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    if samples is not None:
        samples.wall.append(wall)
        samples.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (median is reported)")
    args = parser.parse_args()
    pulumi = find_pulumi()
    if pulumi is None:
        print("error: no pulumi; run scripts/bootstrap.sh (it builds one where go is)", file=sys.stderr)
        return 2
    if not CA_PUBLISHED.exists():
        print("error: the lab is not up (its Management API takes the first up): sudo vardmote lab up", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="vardmote-engine-bench-") as scratch:
        state_dir = Path(scratch) / "state"
        base = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        base["PULUMI_HOME"] = str(Path(scratch) / "pulumi-home")
        env = engine_environment(pulumi, stack=LAB_STACK, base=base, state_dir=state_dir)
        ensure_stack(LAB_STACK, cwd=REPO, env=base, state_dir=state_dir)
        stack = ["--stack", LAB_STACK, "--non-interactive"]
        version = subprocess.check_output([str(pulumi), "version"], text=True, env=env).strip()
        engine_preview = [str(pulumi), "preview", *stack, "--expect-no-changes"]
        offline_preview = [VARDMOTE, "preview", "--stack", LAB_STACK]
        no_change_up = [str(pulumi), "up", "--yes", *stack, "--expect-no-changes"]
        timed([str(pulumi), "up", "--yes", "--skip-preview", *stack], env, None)
        try:
            for command in (engine_preview, offline_preview, no_change_up):  # warm the caches once
                timed(command, env, None)
            real = Samples("pulumi preview --stack lab (no changes)")
            offline = Samples("vardmote preview --stack lab")
            up = Samples("pulumi up --yes --stack lab (no changes)")
            for _ in range(args.runs):
                timed(engine_preview, env, real)
                timed(offline_preview, env, offline)
                timed(no_change_up, env, up)
        finally:
            timed([str(pulumi), "destroy", "--yes", "--skip-preview", *stack], env, None)

    preview_ratio = statistics.median(real.wall) / statistics.median(offline.wall)
    up_ratio = statistics.median(up.wall) / statistics.median(real.wall)
    verdict = "meets" if up_ratio <= TARGET_RATIO else "MISSES"
    print(f"The lab stack under the Pulumi engine {version}")
    for samples in (offline, real, up):
        print(samples.line())
    print(f"  pulumi preview / vardmote preview: {preview_ratio:.2f}× (wall)")
    print(f"  no-change up / no-change preview: {up_ratio:.2f}× (target ≤ {TARGET_RATIO}×): {verdict} the target")
    return 0 if up_ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
