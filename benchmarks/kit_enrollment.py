"""Kit enrollment and look-up against their baselines, measured in the same run.

Targets (kit issue):
- one `vardmote kit enroll` (bundle driver) within 1.5× an empty one-play localhost `ansible-playbook`;
- a 500-kit batch (one playbook run) within 10× that same baseline;
- `vardmote kit show` by asset tag and by serial with 100,000 kits within 50 ms of its start-up-only run
  (the same command on an empty registry: start-up, opening the registry, a look-up that finds nothing).

    .venv/bin/python -m benchmarks.kit_enrollment [--runs 5] [--batch-runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from benchmarks.common import PYTHON, VARDMOTE, Timing, time_command
from benchmarks.policy_check import kit_rows, luhn_digit
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.tables import Kit

MUNICIPALITY_NAMES = ["Härnösand", "Sundsvall", "Kramfors", "Sollefteå", "Örnsköldsvik", "Ånge", "Timrå"]
EMPTY_PLAY = "- name: Empty\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks: []\n"


def batch_csv(path: Path, count: int, offset: int) -> None:
    lines = ["serial,imei,iccid,model,municipality"]
    for number in range(offset, offset + count):
        imei = f"35{number:012d}"
        iccid = f"894601{number:012d}"
        municipality = MUNICIPALITY_NAMES[number % len(MUNICIPALITY_NAMES)]
        lines.append(
            f"BENCH{number:07d},{imei}{luhn_digit(imei)},{iccid}{luhn_digit(iccid)},samsung-galaxy-tab-s10-plus-5g,{municipality}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fresh_env(folder: Path, name: str) -> dict[str, str]:
    url = f"sqlite:///{folder / f'{name}.sqlite'}"
    open_engine(url).dispose()  # the registry exists (migrated) before the timed runs, as in daily use
    return {
        "VARDMOTE_DB_URL": url,
        "VARDMOTE_BUNDLE_DIR": str(folder / f"{name}-bundles"),
        "VARDMOTE_APN_PASSWORD_RVN": "benchmark",
        "VARDMOTE_APN_PASSWORD_SUNDSVALL": "benchmark",
    }


def timed_enrollments(folder: Path, runs: int) -> Timing:
    """Each run enrolls a new kit into a registry of its own (so no run is a no-op re-run)."""
    samples = []
    for run in range(runs + 1):
        env = fresh_env(folder, f"single-{run}")
        csv = folder / f"single-{run}.csv"
        batch_csv(csv, 1, 9_000_000 + run)
        timing = time_command("enroll", [VARDMOTE, "kit", "enroll", "--batch", str(csv)], 1, warmup=0, env=env)
        if run:  # the first run warms the file cache
            samples += timing.runs
    return Timing("vardmote kit enroll (one kit, bundle driver)", samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        play = folder / "empty.yml"
        play.write_text(EMPTY_PLAY, encoding="utf-8")
        ansible = str(Path(PYTHON).parent / "ansible-playbook")
        baseline = time_command(
            "ansible-playbook (empty one-play, localhost)", [ansible, "-i", "localhost,", str(play)], args.runs
        )
        single = timed_enrollments(folder, args.runs)
        batch_samples = []
        for run in range(args.batch_runs):
            env = fresh_env(folder, f"batch-{run}")
            csv = folder / f"batch-{run}.csv"
            batch_csv(csv, args.batch_size, run * args.batch_size)
            batch_samples += time_command(
                "batch", [VARDMOTE, "kit", "enroll", "--batch", str(csv)], 1, warmup=0, env=env
            ).runs
        batch = Timing(f"vardmote kit enroll --batch ({args.batch_size} kits, one run)", batch_samples)

        empty_env, full_env = fresh_env(folder, "show-empty"), fresh_env(folder, "show-full")
        stamp = datetime.now(UTC)
        rows = kit_rows(100_000)
        engine = open_engine(full_env["VARDMOTE_DB_URL"])
        with engine.begin() as connection:
            connection.execute(
                insert(Kit), [{**row, "mdm_driver": "bundle", "created_at": stamp, "updated_at": stamp} for row in rows]
            )
        engine.dispose()
        tag, serial = str(rows[74_998]["asset_tag"]), str(rows[31_337]["serial"])
        show = [VARDMOTE, "kit", "show", "--format", "json"]
        startup = time_command(
            "kit show on an empty registry (start-up only)",
            [*show, "RVN-0000-00000"],
            args.runs,
            env=empty_env,
            allow_failure=True,
        )
        by_tag = time_command("kit show by asset tag, 100,000 kits", [*show, tag], args.runs, env=full_env)
        by_serial = time_command("kit show by serial, 100,000 kits", [*show, serial], args.runs, env=full_env)

    base = baseline.median
    rows = [
        (single, single.median / base, 1.5, "×"),
        (batch, batch.median / base, 10.0, "×"),
    ]
    print("Kit enrollment and look-up")
    for timing in (baseline, single, batch, startup, by_tag, by_serial):
        runs = ", ".join(f"{r:.3f}" for r in timing.runs)
        print(f"  {timing.label:<58} median {timing.median:.3f} s  (runs: {runs})")
    ok = True
    for timing, ratio, target, unit in rows:
        met = ratio <= target
        ok &= met
        verdict = "meets" if met else "MISSES"
        print(f"  {timing.label}: {ratio:.2f}{unit} the baseline (target ≤ {target}{unit}): {verdict}")
    for timing in (by_tag, by_serial):
        extra_ms = (timing.median - startup.median) * 1000
        met = extra_ms <= 50
        ok &= met
        print(f"  {timing.label}: +{extra_ms:.1f} ms over start-up (target ≤ 50 ms): {'meets' if met else 'MISSES'}")
    results.append(ok)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
