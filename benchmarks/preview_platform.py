"""`vardmote preview --stack rvn-prod` against the time Python takes just to import the Pulumi SDKs.

Target (platform issue): the offline preview of the production stack (≥ 100 resources) within 2× the
wall time of `python -c "import pulumi, pulumi_vsphere"`, both measured here in the same run, taking
turns run after run; CPU time (user + system) is reported beside wall time.

    .venv/bin/python -m benchmarks.preview_platform [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks.common import PYTHON, REPO, VARDMOTE, report, time_interleaved

TARGET_RATIO = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (median is reported)")
    args = parser.parse_args()

    preview = [VARDMOTE, "preview", "--stack", "rvn-prod"]
    count = [VARDMOTE, "preview", "--stack", "rvn-prod", "--format", "json"]
    document = json.loads(subprocess.run(count, check=True, capture_output=True, text=True, cwd=REPO).stdout)
    resources = len(document["steps"])
    if resources < 100:
        print(f"rvn-prod declares {resources} resources; the benchmark needs at least 100", file=sys.stderr)
        return 1
    baseline, measured = time_interleaved(
        [
            ('python -c "import pulumi, pulumi_vsphere"', [PYTHON, "-c", "import pulumi, pulumi_vsphere"]),
            (f"vardmote preview --stack rvn-prod ({resources} resources)", preview),
        ],
        args.runs,
    )
    ok = report("Offline preview of rvn-prod", baseline, measured, TARGET_RATIO)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
