"""Kit enrollment and the registry's look-ups at scale, each measured against its baseline in the same
run, the two interleaved (baseline, measured, baseline, …), medians of `--runs` runs, with the CPU time
(user + system, children included) beside the wall time.

Targets (the kit issue):
- one `vardmote kit enroll` through the single-kit playbook: ≤ 2.0× an empty one-play localhost
  `ansible-playbook`;
- a 500-kit batch, a third of them iPads: ≤ 6× that baseline;
- a registry of 100,000 kits with every table filled (devices, replaced devices, aliases of moved kits,
  a valid audit chain of 2–3 entries a kit): `kit show` and `kit history` of one kit ≤ 50 ms above the
  same command on a 7-kit registry (a successful look-up there too); `kit audit --verify` streams in
  ≤ 150 MB (peak resident memory); `kit list --municipality …` as a table of ~14,000 rows ≤ 2 s.

    .venv/bin/python -m benchmarks.kit_enrollment [--runs 5] [--batch-runs 3] [--skip-enroll]
        [--skip-batch] [--skip-lookups]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from benchmarks.common import PYTHON, REPO, VARDMOTE
from benchmarks.policy_check import kit_rows, luhn_digit
from vardmote.kits.registry.audit import GENESIS, canonical, entry_hash, kit_state
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.tables import AuditEntry, Kit, KitAlias, KitDevice, TagSequence

MUNICIPALITY_NAMES = ["Härnösand", "Sundsvall", "Kramfors", "Sollefteå", "Örnsköldsvik", "Ånge", "Timrå"]
EMPTY_PLAY = "- name: Empty\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks: []\n"
TAB, IPAD = "samsung-galaxy-tab-s10-plus-5g", "apple-ipad-air-13-m2-cellular"
# Every device row has every column, as a bulk insert needs.
DEVICE = dict.fromkeys(("imei", "iccid", "removed_at", "removal_status", "removal_reason", "mdm_ref", "mdm_device",
                        "wipe_state", "wipe_note")) | {"model": TAB}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    peak_mb: float


@dataclass
class Measured:
    label: str
    samples: list[Sample]

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


def run_once(command: Sequence[str], env: dict[str, str], allow_failure: bool = False) -> Sample:
    """Wall and CPU time of one run, and its peak resident memory. posix_spawn, not fork: a forked
    child's peak would count the benchmark's own memory until it execs."""
    environment = {**os.environ, **env}
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], list(command), environment, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) and not allow_failure:
        raise SystemExit(f"{' '.join(command)} failed (run it by hand to see why)")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


Command = tuple[Sequence[str], dict[str, str]]


def interleaved(pairs: list[tuple[str, Any]], runs: int) -> list[Measured]:
    """Run each command of `pairs` in turn, `runs` rounds after one untimed warm-up round, so that a
    change in the machine's load touches all of them alike. A pair is (label, (command, env)), or
    (label, function of the round giving (command, env)) for a command that needs a fresh registry."""
    measured = [Measured(label, []) for label, _ in pairs]
    for round_number in range(runs + 1):
        for index, (_, what) in enumerate(pairs):
            command, env = what(round_number) if callable(what) else what
            sample = run_once(command, env)
            if round_number:
                measured[index].samples.append(sample)
    return measured


def batch_csv(path: Path, count: int, offset: int, ipad_share: int = 3) -> None:
    """`count` kits over the seven municipalities; every `ipad_share`-th an iPad."""
    lines = ["serial,imei,iccid,model,municipality"]
    for number in range(offset, offset + count):
        imei, iccid = f"35{number:012d}", f"894601{number:012d}"
        model = IPAD if number % ipad_share == 0 else TAB
        municipality = MUNICIPALITY_NAMES[number % len(MUNICIPALITY_NAMES)]
        lines.append(f"BENCH{number:07d},{imei}{luhn_digit(imei)},{iccid}{luhn_digit(iccid)},{model},{municipality}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fresh_env(folder: Path, name: str) -> dict[str, str]:
    url = f"sqlite:///{folder / f'{name}.sqlite'}"
    open_engine(url).dispose()  # the registry exists (migrated) before the timed runs, as in daily use
    return {
        "VARDMOTE_DB_URL": url,
        "VARDMOTE_BUNDLE_DIR": str(folder / f"{name}-bundles"),
        "VARDMOTE_AUDIT_ANCHOR": str(folder / f"{name}-anchors.json"),
        "VARDMOTE_APN_PASSWORD_RVN": "benchmark",
        "VARDMOTE_APN_PASSWORD_SUNDSVALL": "benchmark",
    }


def fill_every_table(url: str, count: int) -> dict[str, str]:
    """`count` enrolled kits written in bulk in the registry's own schema: each with its device, every
    tenth with a replaced device before it, every twentieth moved (an alias), and a valid audit chain
    (register, enroll; replace or retag where they happened), each entry carrying the kit's state.
    Returns one kit's tag, old tag and serial to look up."""
    stamp = datetime.now(UTC)
    at = stamp.isoformat(timespec="microseconds")
    kits, devices, aliases, entries = [], [], [], []
    previous = GENESIS
    sequences: dict[str, int] = {}

    def audit(action: str, tag: str, details: dict[str, Any], state: dict[str, Any]) -> None:
        nonlocal previous
        entry = AuditEntry(
            at=at, actor="benchmark", action=action, asset_tag=tag, reason=action, ticket=None,
            details=canonical({**details, "state": kit_state(state)}), prev_hash=previous,
        )  # fmt: skip
        entry.hash = entry_hash(entry)
        previous = entry.hash
        entries.append(
            {
                c: getattr(entry, c)
                for c in ("at", "actor", "action", "asset_tag", "reason", "ticket", "details", "prev_hash", "hash")
            }
        )

    for number, row in enumerate(kit_rows(count), start=1):
        kit = {**row, "id": number, "mdm_driver": "bundle", "mdm_ref": f"bundle:{row['asset_tag']}:x"}
        kit.update({"mdm_device": None, "policy_pending": None, "created_at": stamp, "updated_at": stamp})
        code = str(kit["municipality_code"])
        sequences[code] = max(sequences.get(code, 0), int(str(kit["asset_tag"])[-5:]))
        registered = {**kit, "status": "registered", "mdm_ref": None}
        audit("register", str(kit["asset_tag"]), {"serial": kit["serial"]}, registered)
        audit("enroll", str(kit["asset_tag"]), {"mdm_ref": kit["mdm_ref"]}, kit)
        if number % 10 == 0:
            old_serial = f"OLD{number:07d}"
            devices.append(
                {**DEVICE, "kit_id": number, "serial": old_serial, "installed_at": stamp, "removed_at": stamp,
                 "removal_status": "rma", "removal_reason": "cracked", "wipe_state": "sent", "wipe_note": "benchmark"}
            )  # fmt: skip
            audit("replace", str(kit["asset_tag"]), {"old": {"serial": old_serial}}, kit)
        if number % 20 == 0:
            aliases.append({"asset_tag": f"RVN-0000-{number:05d}", "kit_id": number, "until": stamp})
        devices.append(
            {**DEVICE, "kit_id": number, "serial": kit["serial"], "imei": kit["imei"], "iccid": kit["iccid"],
             "installed_at": stamp}
        )  # fmt: skip
        kits.append(kit)
    engine = open_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(Kit), kits)
        connection.execute(insert(KitDevice), devices)
        connection.execute(insert(KitAlias), aliases)
        connection.execute(
            insert(TagSequence), [{"municipality_code": c, "last_value": v} for c, v in sequences.items()]
        )
        for start in range(0, len(entries), 20_000):
            connection.execute(insert(AuditEntry), entries[start : start + 20_000])
        connection.execute(
            text("UPDATE audit_head SET last_hash = :h, entries = :n"), {"h": previous, "n": len(entries)}
        )
    engine.dispose()
    moved = kits[19]  # number 20: moved, so it has an alias
    return {"tag": str(moved["asset_tag"]), "old_tag": "RVN-0000-00020", "serial": str(kits[31_336 % count]["serial"])}


def line(measured: Measured) -> str:
    runs = ", ".join(f"{s.wall:.3f}" for s in measured.samples)
    figures = f"wall {measured.wall:.3f} s  cpu {measured.cpu:.3f} s  peak {measured.peak_mb:.0f} MB"
    return f"  {measured.label:<60} {figures}  (runs: {runs})"


def enrollment(folder: Path, baseline_cmd: list[str], args: argparse.Namespace) -> list[tuple[str, bool]]:
    """One kit and a batch, each interleaved with the empty playbook."""
    verdicts: list[tuple[str, bool]] = []
    baseline: tuple[str, Any] = ("ansible-playbook (empty one-play, localhost)", (baseline_cmd, {}))

    def one_kit(round_number: int) -> Command:
        """A new kit into a registry of its own each run (never a re-run), by the single-kit
        playbook (enroll_kit.yml)."""
        number = 9_000_000 + round_number
        imei, iccid = f"35{number:012d}", f"894601{number:012d}"
        options = ["--serial", f"BENCH{number:07d}", "--imei", imei + luhn_digit(imei)]
        options += ["--iccid", iccid + luhn_digit(iccid), "--model", TAB, "--municipality", "Ånge"]
        return [VARDMOTE, "kit", "enroll", *options], fresh_env(folder, f"single-{round_number}")

    base, single = interleaved([baseline, ("vardmote kit enroll (one kit, enroll_kit.yml)", one_kit)], args.runs)
    for measured in (base, single):
        print(line(measured))
    said = f"single kit {single.wall / base.wall:.2f}× (≤ 2.0×; CPU {single.cpu / base.cpu:.2f}×)"
    verdicts.append((said, single.wall / base.wall <= 2.0))
    if args.skip_batch:
        return verdicts
    batch_file = folder / "batch.csv"

    def many_kits(round_number: int) -> Command:
        batch_csv(batch_file, args.batch_size, round_number * args.batch_size)
        return [VARDMOTE, "kit", "enroll", "--batch", str(batch_file)], fresh_env(folder, f"batch-{round_number}")

    label = f"vardmote kit enroll --batch ({args.batch_size} kits, a third iPads)"
    base_b, batch = interleaved([baseline, (label, many_kits)], args.batch_runs)
    for measured in (base_b, batch):
        print(line(measured))
    said = f"batch {batch.wall / base_b.wall:.2f}× (≤ 6×; CPU {batch.cpu / base_b.cpu:.2f}×)"
    verdicts.append((said, batch.wall / base_b.wall <= 6.0))
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--kits", type=int, default=100_000)
    parser.add_argument("--skip-enroll", action="store_true", help="Without enrollment (one kit and batch).")
    parser.add_argument("--skip-batch", action="store_true", help="Without the batch enrollment.")
    parser.add_argument("--skip-lookups", action="store_true", help="Without the look-ups at scale.")
    args = parser.parse_args()
    verdicts: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        play = folder / "empty.yml"
        play.write_text(EMPTY_PLAY, encoding="utf-8")
        baseline_cmd = [str(Path(PYTHON).parent / "ansible-playbook"), "-i", "localhost,", str(play)]
        print("Kit enrollment and look-up")
        if not args.skip_enroll:
            verdicts += enrollment(folder, baseline_cmd, args)
        if not args.skip_lookups:
            verdicts += lookups(folder, args)
    for said, met in verdicts:
        print(f"  {'meets ' if met else 'MISSES'} {said}")
    return 0 if all(met for _, met in verdicts) else 1


def lookups(folder: Path, args: argparse.Namespace) -> list[tuple[str, bool]]:
    """The registry's look-ups on 100,000 kits, each against the same look-up on the 7 example kits."""
    verdicts: list[tuple[str, bool]] = []
    small, large = fresh_env(folder, "seven"), fresh_env(folder, "large")
    subprocess.run(
        [VARDMOTE, "kit", "enroll", "--batch", str(REPO / "device_profiles" / "examples" / "kits.csv")],
        env={**os.environ, **small}, check=True, capture_output=True,
    )  # fmt: skip
    started = time.perf_counter()
    # Filled by a process of its own, so that the benchmark's own memory stays small.
    filled = subprocess.run(
        [PYTHON, "-c", "import json, sys; from benchmarks.kit_enrollment import fill_every_table as f; "
         "print(json.dumps(f(sys.argv[1], int(sys.argv[2]))))", large["VARDMOTE_DB_URL"], str(args.kits)],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    keys = json.loads(filled.stdout)
    took = time.perf_counter() - started
    print(f"  (filled {args.kits:,} kits with devices, aliases and their audit chain in {took:.1f} s)")
    n = f"{args.kits:,}"
    pairs = [
        ("kit show by tag, 7 kits", ([VARDMOTE, "kit", "show", "RVN-2262-00001", "-f", "json"], small)),
        (f"kit show by tag, {n} kits", ([VARDMOTE, "kit", "show", keys["tag"], "-f", "json"], large)),
        (f"kit show by old tag, {n} kits", ([VARDMOTE, "kit", "show", keys["old_tag"], "-f", "json"], large)),
        ("kit show by serial, 7 kits", ([VARDMOTE, "kit", "show", "R52W700002", "-f", "json"], small)),
        (f"kit show by serial, {n} kits", ([VARDMOTE, "kit", "show", keys["serial"], "-f", "json"], large)),
        ("kit history, 7 kits", ([VARDMOTE, "kit", "history", "RVN-2262-00001"], small)),
        (f"kit history, {n} kits", ([VARDMOTE, "kit", "history", keys["tag"]], large)),
        (f"kit audit --verify, {n} kits", ([VARDMOTE, "kit", "audit", "--verify"], large)),
        (
            f"kit list --municipality Sundsvall, {n} kits",
            ([VARDMOTE, "kit", "list", "--municipality", "Sundsvall"], large),
        ),
    ]
    results = interleaved(pairs, args.runs)
    for measured in results:
        print(line(measured))
    by_label = {m.label: m for m in results}

    def above(small_label: str, large_label: str) -> float:
        return (by_label[large_label].wall - by_label[small_label].wall) * 1000

    for small_label, large_label in (
        ("kit show by tag, 7 kits", f"kit show by tag, {n} kits"),
        ("kit show by tag, 7 kits", f"kit show by old tag, {n} kits"),
        ("kit show by serial, 7 kits", f"kit show by serial, {n} kits"),
        ("kit history, 7 kits", f"kit history, {n} kits"),
    ):
        extra = above(small_label, large_label)
        verdicts.append((f"{large_label}: +{extra:.0f} ms (≤ 50 ms)", extra <= 50))
    verify = by_label[f"kit audit --verify, {n} kits"]
    verdicts.append((f"audit --verify peak {verify.peak_mb:.0f} MB (≤ 150 MB)", verify.peak_mb <= 150))
    listing = by_label[f"kit list --municipality Sundsvall, {n} kits"]
    verdicts.append((f"kit list of ~{args.kits // 7:,} rows {listing.wall:.2f} s (≤ 2 s)", listing.wall <= 2.0))
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
