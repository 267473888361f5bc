"""The lab's first deploy of all hosts against the idempotent re-run, measured in the same run.

Target (call issue): the re-run takes at most 30% of the first deploy's time. Each run makes a fresh lab (`vardmote lab
down`, `vardmote lab up`; the cached base image is reused and not timed), then times `vardmote deploy
--stack lab` twice: the first deploy (packages installed, every file written, services started) and
the re-run (changed=0). Needs root, like the lab itself.

    sudo .venv/bin/python -m benchmarks.lab_deploy [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import VARDMOTE, Timing, time_command

TARGET_SHARE = 0.30  # the re-run's time as a share of the first's, at most


def vardmote(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run([VARDMOTE, *arguments], check=True, capture_output=True, env={**os.environ, **env})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("error: the lab needs root: run this benchmark with sudo", file=sys.stderr)
        return 2
    first, rerun, first_cpu, rerun_cpu = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="vardmote-lab-bench-") as folder:
        env = {"VARDMOTE_LAB_DIR": str(Path(folder) / "lab")}
        try:
            for run in range(args.runs):
                vardmote("lab", "down", env=env)
                vardmote("lab", "up", env=env)
                deploy = [VARDMOTE, "deploy", "--stack", "lab"]
                timed_first = time_command("first", deploy, 1, warmup=0, env=env)
                timed_rerun = time_command("re-run", deploy, 1, warmup=0, env=env)
                first += timed_first.runs
                rerun += timed_rerun.runs
                first_cpu += timed_first.cpu
                rerun_cpu += timed_rerun.cpu
                print(f"  run {run + 1}: first {first[-1]:.1f} s, re-run {rerun[-1]:.1f} s", flush=True)
        finally:
            vardmote("lab", "down", env=env)
    first_deploy = Timing("vardmote deploy --stack lab (first, 6 fresh hosts)", first, first_cpu)
    idempotent = Timing("vardmote deploy --stack lab (re-run, changed=0)", rerun, rerun_cpu)
    ratio = idempotent.median / first_deploy.median
    print("Lab deploy: the idempotent re-run against the first deploy")
    for timing in (first_deploy, idempotent):
        runs = ", ".join(f"{r:.1f}" for r in timing.runs)
        cpu = timing.cpu_median
        cpu_text = f", CPU {cpu:.1f} s" if cpu is not None else ""
        print(f"  {timing.label:<52} median {timing.median:.1f} s wall{cpu_text}  (runs: {runs})")
    within = ratio <= TARGET_SHARE
    print(
        f"  re-run / first = {ratio:.2f}: the re-run takes {ratio:.0%} of the first deploy's time "
        f"(target ≤ {TARGET_SHARE:.0%}: {'meets' if within else 'MISSES'} it)"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
