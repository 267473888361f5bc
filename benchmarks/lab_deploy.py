"""The lab's first deploy of all hosts against the idempotent re-run, measured in the same run.

Target (lab issue): the re-run within 30% of the first. Each run makes a fresh lab (`vardmote lab
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

TARGET_DIFFERENCE = 0.30


def vardmote(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run([VARDMOTE, *arguments], check=True, capture_output=True, env={**os.environ, **env})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("error: the lab needs root: run this benchmark with sudo", file=sys.stderr)
        return 2
    first, rerun = [], []
    with tempfile.TemporaryDirectory(prefix="vardmote-lab-bench-") as folder:
        env = {"VARDMOTE_LAB_DIR": str(Path(folder) / "lab")}
        try:
            for run in range(args.runs):
                vardmote("lab", "down", env=env)
                vardmote("lab", "up", env=env)
                deploy = [VARDMOTE, "deploy", "--stack", "lab"]
                first += time_command("first", deploy, 1, warmup=0, env=env).runs
                rerun += time_command("re-run", deploy, 1, warmup=0, env=env).runs
                print(f"  run {run + 1}: first {first[-1]:.1f} s, re-run {rerun[-1]:.1f} s", flush=True)
        finally:
            vardmote("lab", "down", env=env)
    first_deploy = Timing("vardmote deploy --stack lab (first, 6 fresh hosts)", first)
    idempotent = Timing("vardmote deploy --stack lab (re-run, changed=0)", rerun)
    ratio = idempotent.median / first_deploy.median
    print("Lab deploy: the idempotent re-run against the first deploy")
    for timing in (first_deploy, idempotent):
        runs = ", ".join(f"{r:.1f}" for r in timing.runs)
        print(f"  {timing.label:<52} median {timing.median:.1f} s  (runs: {runs})")
    within = ratio <= 1 + TARGET_DIFFERENCE
    print(
        f"  re-run / first = {ratio:.2f}: the re-run takes {ratio:.0%} of the first "
        f"({'within' if within else 'MORE than'} 30% above it; {1 - ratio:.0%} faster)"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
