"""`vardmote policy check` over the production platform, all profiles and templates, and 10,000 registry kits.

Targets (policy issue): the whole check within 3 s, and kits checked at ≥ 20,000 per second beyond
start-up (the same command without kits, measured in the same run, is the start-up).

    .venv/bin/python -m benchmarks.policy_check [--runs 5] [--kits 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from benchmarks.common import VARDMOTE, time_command
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.tables import Kit

WHOLE_TARGET_S = 3.0
KITS_PER_SECOND_TARGET = 20_000
# Kommunkod → alternative and support party, as in device_profiles (example data).
MUNICIPALITIES = {
    "2280": (1, "region"),
    "2281": (2, "municipality"),
    "2282": (1, "region"),
    "2283": (1, "region"),
    "2284": (2, "municipality"),
    "2260": (1, "region"),
    "2262": (2, "municipality"),
}
CONTENTS = ["tablet", "stand", "speaker_microphone", "backpack", "charger_extension_cable"]


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def kit_rows(count: int) -> list[dict[str, object]]:
    codes = list(MUNICIPALITIES)
    rows = []
    for number in range(count):
        code = codes[number % len(codes)]
        alternative, party = MUNICIPALITIES[code]
        imei = f"35{number:012d}"
        iccid = f"894601{number:012d}"
        rows.append(
            {
                "asset_tag": f"RVN-{code}-{number:05d}",
                "serial": f"R52W{number:07d}",
                "municipality_code": code,
                "alternative": alternative,
                "model": "samsung-galaxy-tab-s10-plus-5g",
                "imei": imei + luhn_digit(imei),
                "iccid": iccid + luhn_digit(iccid),
                "status": "enrolled",
                "support_party": party,
                "contents": CONTENTS,
            }
        )
    return rows


def fill_registry(url: str, count: int) -> None:
    """A registry holding `count` enrolled kits, written in bulk (the registry's own schema)."""
    stamp = datetime.now(UTC)
    engine = open_engine(url)
    rows = [{**row, "mdm_driver": "bundle", "created_at": stamp, "updated_at": stamp} for row in kit_rows(count)]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(Kit), rows)
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kits", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        empty, full = f"sqlite:///{Path(folder) / 'empty.sqlite'}", f"sqlite:///{Path(folder) / 'full.sqlite'}"
        fill_registry(empty, 0)
        fill_registry(full, args.kits)
        base = [VARDMOTE, "policy", "check", "--stack", "rvn-prod", "--profiles", "--kits", "--format", "json"]
        startup = time_command(
            "empty registry (start-up: platform, profiles, templates)", base, args.runs, env={"VARDMOTE_DB_URL": empty}
        )
        whole = time_command(f"registry with {args.kits} kits", base, args.runs, env={"VARDMOTE_DB_URL": full})
    kit_seconds = max(whole.median - startup.median, 1e-9)
    rate = args.kits / kit_seconds
    print("Policy check of rvn-prod, all profiles and templates, and kits")
    for timing in (startup, whole):
        runs = ", ".join(f"{r:.3f}" for r in timing.runs)
        print(f"  {timing.label:<58} median {timing.median:.3f} s  (runs: {runs})")
    whole_ok = whole.median <= WHOLE_TARGET_S
    rate_ok = rate >= KITS_PER_SECOND_TARGET
    print(f"  whole check {whole.median:.2f} s (target ≤ {WHOLE_TARGET_S} s): {'meets' if whole_ok else 'MISSES'}")
    verdict = "meets" if rate_ok else "MISSES"
    print(f"  kits {rate:,.0f}/s beyond start-up (target ≥ {KITS_PER_SECOND_TARGET:,}/s): {verdict}")
    return 0 if whole_ok and rate_ok else 1


if __name__ == "__main__":
    sys.exit(main())
