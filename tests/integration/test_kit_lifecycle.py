"""Tablet kits end to end: the real `vardmote kit` command runs the real playbooks through ansible-runner
against a real registry (SQLite and PostgreSQL) and writes real bundles."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from tests.conftest import REPO_ROOT
from vardmote.core.processes import descendants
from vardmote.kits import fan_out
from vardmote.kits.identifiers import luhn_valid

VARDMOTE = str(Path(os.environ.get("VIRTUAL_ENV", REPO_ROOT / ".venv")) / "bin" / "vardmote")
EXAMPLES = REPO_ROOT / "device_profiles" / "examples" / "kits.csv"
# Ånge's example kit, as options of `vardmote kit enroll`.
ANGE_KIT = (
    "--serial", "R52W700006", "--imei", "352099001760061", "--iccid", "8946010000000000061",
    "--model", "samsung-galaxy-tab-s10-plus-5g", "--municipality", "Ånge",
)  # fmt: skip


@pytest.fixture
def kit_env(tmp_path: Path, registry_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "VARDMOTE_DB_URL": registry_url,
        "VARDMOTE_BUNDLE_DIR": str(tmp_path / "bundles"),
        "VARDMOTE_APN_PASSWORD_RVN": "example-not-secret",
        "VARDMOTE_APN_PASSWORD_SUNDSVALL": "example-not-secret-either",
        "VARDMOTE_ACTOR": "tekniker@example",
        "VARDMOTE_AUDIT_ANCHOR": str(tmp_path / "audit-anchors.json"),
    }


def vardmote(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([VARDMOTE, *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"vardmote {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def kits(env: dict[str, str]) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(vardmote(env, "kit", "list", "--format", "json").stdout)
    return listed


def test_the_example_batch_enrolls_one_kit_per_municipality_and_a_rerun_changes_nothing(
    kit_env: dict[str, str],
) -> None:
    vardmote(kit_env, "kit", "enroll", "--batch", str(EXAMPLES))
    enrolled = kits(kit_env)
    assert sorted(k["asset_tag"] for k in enrolled) == [
        "RVN-2260-00001",
        "RVN-2262-00001",
        "RVN-2280-00001",
        "RVN-2281-00001",
        "RVN-2282-00001",
        "RVN-2283-00001",
        "RVN-2284-00001",
    ]
    assert {k["status"] for k in enrolled} == {"enrolled"}
    bundles = Path(kit_env["VARDMOTE_BUNDLE_DIR"])
    android = bundles / "RVN-2260-00001"
    assert {p.name for p in android.iterdir()} >= {
        "amapi-policy.json",
        "provisioning-qr.png",
        "provisioning-qr.svg",
        "label.pdf",
        "label.svg",
    }
    assert (bundles / "RVN-2262-00001" / "vardmote.mobileconfig").is_file()  # Timrå's example kit is an iPad
    rerun = vardmote(kit_env, "kit", "enroll", "--batch", str(EXAMPLES))
    assert rerun.stdout.count("already enrolled") == 7
    assert len(kits(kit_env)) == 7
    audit = vardmote(kit_env, "kit", "audit", "--verify")
    assert "the audit log's 14 entries are complete and unaltered" in audit.stdout
    sheet = Path(kit_env["VARDMOTE_BUNDLE_DIR"]) / "labels.pdf"
    printed = vardmote(kit_env, "kit", "label", "--batch", str(EXAMPLES), "--sheet", str(sheet)).stdout
    assert f"wrote {sheet}: 7 labels on 2 A4 sheet(s)" in " ".join(printed.split())
    assert sheet.read_bytes().count(b"/Type /Page ") == 2


def _with_check_digit(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


def test_a_batch_large_enough_to_fan_out_gives_each_kit_its_own_bundle(kit_env: dict[str, str], tmp_path: Path) -> None:
    """Forty kits: rendering and enrollment run in forked workers inside the Ansible task; every kit
    must end up enrolled, with its own files, its QR code carrying its own enrollment."""
    count = fan_out.KITS_PER_WORKER * 2 + 8
    rows = ["serial,imei,iccid,model,municipality"]
    for number in range(count):
        imei, iccid = _with_check_digit(f"35209900{number:06d}"), _with_check_digit(f"894601000000{number:06d}")
        rows.append(f"FAN{number:04d},{imei},{iccid},samsung-galaxy-tab-s10-plus-5g,Sundsvall")
    batch = tmp_path / "forty.csv"
    batch.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = vardmote(kit_env, "kit", "enroll", "--batch", str(batch))
    assert f"{count} kits: {count} enrolled; bundles in " in " ".join(done.stdout.split())
    assert "FAN0000" not in done.stdout  # a long batch lists only the kits that are not finished
    enrolled = kits(kit_env)
    assert sorted(k["asset_tag"] for k in enrolled) == [f"RVN-2281-{n:05d}" for n in range(1, count + 1)]
    assert {k["status"] for k in enrolled} == {"enrolled"}
    tokens = set()
    for kit in enrolled:
        bundle = Path(kit_env["VARDMOTE_BUNDLE_DIR"]) / kit["asset_tag"]
        payload = (bundle / "provisioning-qr.json").read_text(encoding="utf-8")
        code = zxingcpp.read_barcode(Image.open(bundle / "provisioning-qr.png"))
        assert code is not None
        assert json.loads(code.text) == json.loads(payload)
        tokens.add((bundle / "enrollment-token.txt").read_text(encoding="utf-8"))
        assert kit["serial"] in (bundle / "label.svg").read_text(encoding="utf-8")
    assert len(tokens) == count


def test_replace_keeps_the_tag_and_retire_frees_the_sim(kit_env: dict[str, str]) -> None:
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    vardmote(
        kit_env,
        "kit",
        "replace",
        "RVN-2260-00001",
        "--serial",
        "R52W799999",
        "--imei",
        "352099001760996",
        "--reason",
        "cracked screen",
        "--old-status",
        "rma",
        "--ticket",
        "INC-42",
    )
    shown = json.loads(vardmote(kit_env, "kit", "show", "R52W799999", "--format", "json").stdout)
    assert (shown["asset_tag"], shown["status"], shown["iccid"]) == (
        "RVN-2260-00001",
        "enrolled",
        "8946010000000000061",
    )
    # The old tablet's numbers still name the kit: a label printed from the original batch, by the IMEI.
    by_old_imei = json.loads(vardmote(kit_env, "kit", "show", "352099001760061", "--format", "json").stdout)
    assert by_old_imei["asset_tag"] == "RVN-2260-00001"
    assert "label.pdf" in vardmote(kit_env, "kit", "label", "R52W700006").stdout
    history = vardmote(kit_env, "kit", "history", "RVN-2260-00001").stdout
    for expected in ("cracked screen", "INC-42", "rma"):
        assert expected in history
    # The old tablet has a work order in the kit's bundle and stays "wipe pending" until confirmed.
    order = Path(kit_env["VARDMOTE_BUNDLE_DIR"]) / "RVN-2260-00001" / "WIPE-R52W700006.txt"
    text = order.read_text(encoding="utf-8")
    assert "serial R52W700006" in text
    assert "Factory data reset" in text
    assert "vardmote kit wipe-done RVN-2260-00001 --serial R52W700006" in text
    assert shown["wipe_pending"] == ["R52W700006"]
    assert "wipe pending" in vardmote(kit_env, "kit", "show", "RVN-2260-00001").stdout
    wrong = vardmote(kit_env, "kit", "wipe-done", "RVN-2260-00001", "--serial", "R52W799999", check=False)
    assert wrong.returncode == 1
    assert "has no device with serial R52W799999 waiting for a wipe" in wrong.stderr
    vardmote(kit_env, "kit", "wipe-done", "rvn-2260-00001", "--serial", "r52w700006", "--ticket", "INC-42")
    assert json.loads(vardmote(kit_env, "kit", "show", "R52W799999", "--format", "json").stdout)["wipe_pending"] == []
    retired = vardmote(kit_env, "kit", "retire", "RVN-2260-00001", "--reason", "end of contract").stdout
    assert "wipe pending" in " ".join(retired.split())
    no_label = vardmote(kit_env, "kit", "label", "R52W799999", check=False)
    assert no_label.returncode == 1
    assert "kit RVN-2260-00001 (R52W799999) is retired: a retired kit gets no label" in no_label.stderr
    assert (order.parent / "WIPE-R52W799999.txt").is_file()
    # The freed SIM can go into a new kit.
    vardmote(
        kit_env,
        "kit",
        "enroll",
        "--serial",
        "R52W700777",
        "--imei",
        "352099001760012",
        "--iccid",
        "8946010000000000061",
        "--model",
        "samsung-galaxy-tab-s10-plus-5g",
        "--municipality",
        "Ånge",
    )
    assert vardmote(kit_env, "kit", "audit", "--verify").returncode == 0


def test_an_invalid_batch_writes_nothing_unless_told_to_skip(kit_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "kits.csv"
    rows = EXAMPLES.read_text(encoding="utf-8").splitlines()
    batch.write_text(
        "\n".join([*rows[:3], rows[3].replace("352099001760038", "352099001760039")]) + "\n", encoding="utf-8"
    )
    refused = vardmote(kit_env, "kit", "enroll", "--batch", str(batch), check=False)
    assert refused.returncode == 1
    assert refused.stdout.strip() == f"{batch}:4: imei: IMEI 352099001760039 fails its Luhn check digit"
    assert kits(kit_env) == []
    vardmote(kit_env, "kit", "enroll", "--batch", str(batch), "--skip-invalid")
    assert len(kits(kit_env)) == 2


def test_check_mode_prints_the_plan_and_changes_nothing(kit_env: dict[str, str]) -> None:
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    planned = vardmote(kit_env, "kit", "enroll", "--batch", str(EXAMPLES), "--check").stdout
    assert planned.splitlines()[1:3] == [
        "line 2: R52W700001 (Härnösand) → RVN-2280-00001 (next free): register and enroll; files: policy, token, "
        "QR code, label; MDM: bundle (a site MDM imports it)",
        "line 3: R52W700002 (Sundsvall) → RVN-2281-00001 (next free): register and enroll; files: policy, token, "
        "QR code, label; MDM: bundle (a site MDM imports it)",
    ]
    assert "line 7: R52W700006 (Ånge) → RVN-2260-00001: nothing: already enrolled" in planned
    assert "line 8: DMPX0007Q1GH (Timrå) → RVN-2262-00001 (next free): register and enroll; files: profile" in planned
    assert "7 kit(s) checked; run again without --check to enroll them" in planned
    assert [k["asset_tag"] for k in kits(kit_env)] == ["RVN-2260-00001"]
    assert sorted(p.name for p in Path(kit_env["VARDMOTE_BUNDLE_DIR"]).iterdir()) == ["RVN-2260-00001"]


def _service_account(tmp_path: Path) -> Path:
    """Credentials google-auth accepts without asking anyone, whose token endpoint is a closed loopback
    port: the first call to the Android Management API fails, after the kit is registered."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account = {
        "type": "service_account",
        "project_id": "example",
        "private_key_id": "1",
        "private_key": pem.decode(),
        "client_email": "kits@example.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(account), encoding="utf-8")
    return path


def test_an_mdm_failure_half_way_leaves_a_visible_kit_and_a_rerun_finishes(
    kit_env: dict[str, str], profiles_copy: Path, tmp_path: Path
) -> None:
    ange = profiles_copy / "municipalities" / "ange.yaml"
    ange.write_text(
        ange.read_text(encoding="utf-8").replace("mdm_driver: bundle", "mdm_driver: amapi"), encoding="utf-8"
    )
    env = {
        **kit_env,
        "VARDMOTE_PROFILES_DIR": str(profiles_copy),
        "VARDMOTE_AMAPI_ENTERPRISE": "enterprises/LC00abc123",
        "GOOGLE_APPLICATION_CREDENTIALS": str(_service_account(tmp_path)),
    }
    args = ["kit", "enroll", *ANGE_KIT]
    failed = vardmote(env, *args, check=False)
    assert failed.returncode == 1
    # The token endpoint (a closed loopback port) refused the first call.
    assert "RVN-2260-00001: Android Management API: policies.patch: ConnectionRefusedError" in failed.stderr
    (pending,) = kits(env)
    assert (pending["asset_tag"], pending["status"]) == ("RVN-2260-00001", "registered")
    ange.write_text(
        ange.read_text(encoding="utf-8").replace("mdm_driver: amapi", "mdm_driver: bundle"), encoding="utf-8"
    )
    vardmote(env, *args)
    (done,) = kits(env)
    assert (done["asset_tag"], done["status"]) == ("RVN-2260-00001", "enrolled")


def test_an_amapi_municipality_without_its_enterprise_is_refused_before_anything_is_written(
    kit_env: dict[str, str], profiles_copy: Path
) -> None:
    ange = profiles_copy / "municipalities" / "ange.yaml"
    ange.write_text(
        ange.read_text(encoding="utf-8").replace("mdm_driver: bundle", "mdm_driver: amapi"), encoding="utf-8"
    )
    env = {**kit_env, "VARDMOTE_PROFILES_DIR": str(profiles_copy)}
    env.pop("VARDMOTE_AMAPI_ENTERPRISE", None)
    refused = vardmote(env, "kit", "enroll", *ANGE_KIT, check=False)
    assert refused.returncode == 1
    assert "Ånge uses the amapi driver: set VARDMOTE_AMAPI_ENTERPRISE=enterprises/<id>" in refused.stderr
    assert kits(env) == []
    assert not Path(env["VARDMOTE_BUNDLE_DIR"]).exists()


def test_a_batch_reusing_an_identifier_of_a_registered_kit_writes_nothing_and_names_the_line(
    kit_env: dict[str, str], tmp_path: Path
) -> None:
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    rows = EXAMPLES.read_text(encoding="utf-8").splitlines()
    # Line 7 is Ånge's kit with another serial: its IMEI and ICCID belong to RVN-2260-00001.
    batch = tmp_path / "kits.csv"
    batch.write_text("\n".join([*rows[:6], rows[6].replace("R52W700006", "R52W700066")]) + "\n", encoding="utf-8")
    refused = vardmote(kit_env, "kit", "enroll", "--batch", str(batch), check=False)
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        f"{batch}:7: imei: IMEI 352099001760061 already belongs to kit RVN-2260-00001 (enrolled)",
        f"{batch}:7: iccid: ICCID 8946010000000000061 already belongs to kit RVN-2260-00001 (enrolled)",
    ]
    assert [k["asset_tag"] for k in kits(kit_env)] == ["RVN-2260-00001"]
    assert sorted(p.name for p in Path(kit_env["VARDMOTE_BUNDLE_DIR"]).iterdir()) == ["RVN-2260-00001"]
    # The same device again for the same municipality is a re-run, not a conflict.
    assert "already enrolled" in vardmote(kit_env, "kit", "enroll", *ANGE_KIT).stdout


def test_a_row_the_registry_refuses_is_skipped_when_told_and_never_reaches_the_playbook(
    kit_env: dict[str, str], tmp_path: Path
) -> None:
    """Ansible starts before the rows are checked against the registry; a row found bad there must not be
    in the run that goes ahead, whose tasks waited for the checks."""
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    rows = EXAMPLES.read_text(encoding="utf-8").splitlines()
    batch = tmp_path / "kits.csv"
    batch.write_text("\n".join([*rows[:6], rows[6].replace("R52W700006", "R52W700066")]) + "\n", encoding="utf-8")
    skipped = vardmote(kit_env, "kit", "enroll", "--batch", str(batch), "--skip-invalid")
    assert "skipping 1 bad row(s); enrolling 5 kit(s)" in " ".join(skipped.stderr.split())
    listed = kits(kit_env)
    assert "R52W700066" not in {k["serial"] for k in listed}
    assert sorted(k["status"] for k in listed) == ["enrolled"] * 6  # Ånge's first kit and the five good rows
    assert vardmote(kit_env, "kit", "audit", "--verify").returncode == 0


def test_an_unset_apn_password_is_refused_before_any_kit_is_registered(kit_env: dict[str, str]) -> None:
    env = {k: v for k, v in kit_env.items() if k != "VARDMOTE_APN_PASSWORD_SUNDSVALL"}
    refused = vardmote(env, "kit", "enroll", "--batch", str(EXAMPLES), check=False)
    assert refused.returncode == 1
    assert (
        "broadband profile sundsvall-private-apn needs the environment variable VARDMOTE_APN_PASSWORD_SUNDSVALL "
        "(kits on line 3)" in " ".join(refused.stderr.split())
    )
    assert kits(env) == []


def test_preconditions_and_options_that_do_not_apply_are_one_line_each(kit_env: dict[str, str], tmp_path: Path) -> None:
    not_a_folder = tmp_path / "bundles-file"
    not_a_folder.write_text("", encoding="utf-8")
    refused = vardmote(
        kit_env, "kit", "enroll", "--batch", str(EXAMPLES), "--bundle-dir", str(not_a_folder / "b"), check=False
    )
    assert "the bundle folder" in refused.stderr
    assert "is a file" in refused.stderr
    both = vardmote(kit_env, "kit", "enroll", "--batch", str(EXAMPLES), "--serial", "R52W1", check=False)
    assert (both.returncode, both.stderr.strip()) == (
        2,
        "error: --serial: not with --batch, whose CSV gives each kit's fields",
    )
    skip = vardmote(kit_env, "kit", "enroll", *ANGE_KIT, "--skip-invalid", check=False)
    assert (skip.returncode, skip.stderr.strip()) == (2, "error: --skip-invalid: only with --batch")
    status = vardmote(kit_env, "kit", "list", "--status", "enroled", check=False)
    assert status.returncode == 2
    assert "unknown status 'enroled'; one of registered, enrolled, in_repair, rma, retired" in status.stderr
    ticket = vardmote(kit_env, "kit", "enroll", *ANGE_KIT, "--ticket", "T" * 61, check=False)
    assert "--ticket is 61 characters, at most 60" in ticket.stderr
    assert kits(kit_env) == []


def test_a_kit_given_as_options_has_its_problems_named_by_option(kit_env: dict[str, str]) -> None:
    """No CSV file and line to name: each problem names the option to mend, the registry's ones too."""
    bad = [a if a != "352099001760061" else "1234" for a in ANGE_KIT]
    refused = vardmote(kit_env, "kit", "enroll", *bad, check=False)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == "error: --imei: IMEI must be 15 digits, got '1234'"
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    other = [a if a != "R52W700006" else "R52W700099" for a in ANGE_KIT]
    taken = vardmote(kit_env, "kit", "enroll", *other, check=False)
    assert taken.returncode == 1
    assert "error: --imei: IMEI 352099001760061 already belongs to kit RVN-2260-00001 (enrolled)" in taken.stderr
    assert "--options" not in refused.stderr + refused.stdout + taken.stderr + taken.stdout


def test_a_replacement_of_a_cellular_tablet_needs_the_new_imei(kit_env: dict[str, str]) -> None:
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    refused = vardmote(
        kit_env, "kit", "replace", "RVN-2260-00001", "--serial", "R52W799999", "--reason", "x", check=False
    )
    assert refused.returncode == 1
    assert (
        "--imei: the new tablet (samsung-galaxy-tab-s10-plus-5g) is a cellular model: give its IMEI" in refused.stderr
    )
    assert json.loads(vardmote(kit_env, "kit", "show", "RVN-2260-00001", "-f", "json").stdout)["serial"] == "R52W700006"


def test_registry_errors_are_one_line_without_sql(kit_env: dict[str, str], tmp_path: Path) -> None:
    missing = vardmote(kit_env, "kit", "list", "--db-url", f"sqlite:///{tmp_path}/no/such/registry.sqlite", check=False)
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        "error: cannot open the kit registry: unable to open database file",
    )
    database = tmp_path / "registry.sqlite"
    vardmote(kit_env, "kit", "list", "--db-url", f"sqlite:///{database}")
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    refused = vardmote(kit_env, "kit", "enroll", *ANGE_KIT, "--db-url", read_only, check=False)
    assert refused.returncode == 1
    assert "error: cannot write to the kit registry: attempt to write a readonly database" in refused.stderr
    assert "SELECT" not in refused.stderr
    assert "UPDATE" not in refused.stderr


def test_a_batch_killed_half_way_and_run_again_finishes_with_no_duplicates(tmp_path: Path) -> None:
    database = tmp_path / "registry.sqlite"
    env = {
        **os.environ,
        "VARDMOTE_DB_URL": f"sqlite:///{database}",
        "VARDMOTE_BUNDLE_DIR": str(tmp_path / "bundles"),
        "VARDMOTE_APN_PASSWORD_RVN": "x",
        "VARDMOTE_APN_PASSWORD_SUNDSVALL": "y",
        "VARDMOTE_AUDIT_ANCHOR": str(tmp_path / "audit-anchors.json"),
    }
    process = subprocess.Popen(
        [VARDMOTE, "kit", "enroll", "--batch", str(EXAMPLES)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    registered = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(database) as connection:
                    registered = connection.execute("SELECT count(*) FROM kits").fetchone()[0]
            except sqlite3.Error:
                registered = 0
        if registered:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the whole run, Ansible included
    process.wait(timeout=30)
    assert registered > 0, "the batch never got as far as registering a kit"
    vardmote(env, "kit", "enroll", "--batch", str(EXAMPLES))
    listed = kits(env)
    assert len(listed) == 7
    assert {k["status"] for k in listed} == {"enrolled"}
    assert len({k["serial"] for k in listed}) == 7
    shutil.rmtree(tmp_path / "bundles", ignore_errors=True)


def test_a_killed_run_leaves_no_password_on_disk_nor_in_its_processes(tmp_path: Path) -> None:
    """kill -9 half-way: the APN passwords and the registry's URL are in no command line or environment
    of Ansible's processes while the run lasts, and afterwards in no file but the bundles' 0600 files."""
    secrets = {"VARDMOTE_APN_PASSWORD_RVN": "Sekret-RVN-4711", "VARDMOTE_APN_PASSWORD_SUNDSVALL": "Sekret-SUN-0815"}
    scratch, bundles = tmp_path / "tmp", tmp_path / "bundles"
    scratch.mkdir()
    # The registry's URL stands for one with a password in it: no Ansible process may carry it.
    database = tmp_path / "registry-Url-Marker.sqlite"
    env = {
        **os.environ,
        **secrets,
        "TMPDIR": str(scratch),
        "VARDMOTE_DB_URL": f"sqlite:///{database}",
        "VARDMOTE_BUNDLE_DIR": str(bundles),
        "VARDMOTE_AUDIT_ANCHOR": str(tmp_path / "audit-anchors.json"),
    }
    process = subprocess.Popen(
        [VARDMOTE, "kit", "enroll", "--batch", str(EXAMPLES)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(bundles.glob("*/amapi-policy.json")):
        time.sleep(0.02)
    below = descendants(process.pid)  # however it detached its session (pexpect gives Ansible its own)
    try:
        assert below, "Ansible never started"
        leaks = []
        for pid in below:
            for part in ("cmdline", "environ"):
                try:
                    data = (Path("/proc") / str(pid) / part).read_bytes()
                except OSError:
                    continue  # already ended
                leaks += [f"{pid} {part}" for marker in (b"Sekret-", b"Url-Marker") if marker in data]
        assert leaks == []
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)
    time.sleep(0.5)
    holding = [p for p in tmp_path.rglob("*") if p.is_file() and b"Sekret-" in p.read_bytes()]
    assert holding, "the run never got as far as writing a bundle"
    for path in holding:
        assert path.is_relative_to(bundles), f"{path} holds a password outside the bundles"
        assert (path.stat().st_mode & 0o777) == 0o600, f"{path} holds a password and is not 0600"
    assert not [p for p in scratch.rglob("*") if p.is_file() and b"Sekret-" in p.read_bytes()]


def test_moving_a_kit_retags_it_and_its_tablet_gets_the_new_municipalitys_settings(kit_env: dict[str, str]) -> None:
    vardmote(kit_env, "kit", "enroll", *ANGE_KIT)
    moved = vardmote(kit_env, "kit", "move", "RVN-2260-00001", "--municipality", "Timrå", "--reason", "moved to Timrå")
    assert "RVN-2262-00001" in moved.stdout
    bundle = Path(kit_env["VARDMOTE_BUNDLE_DIR"]) / "RVN-2262-00001"
    order = (bundle / "POLICY-R52W700006.txt").read_text(encoding="utf-8")
    assert "kit RVN-2262-00001 (was RVN-2260-00001)" in order
    assert "vardmote kit policy-done RVN-2262-00001" in order
    # The new bundle has Timrå's APN and support line, not Ånge's.
    policy = json.loads((bundle / "amapi-policy.json").read_text(encoding="utf-8"))
    assert policy["deviceConnectivityManagement"]["apnPolicy"]["apnSettings"][0]["apn"] == "online.telia.se"
    assert "Kommunens IT-support Timrå" in (bundle / "label.svg").read_text(encoding="utf-8")
    # The old tag on the case still finds the kit, in any case.
    shown = json.loads(vardmote(kit_env, "kit", "show", "rvn-2260-00001", "--format", "json").stdout)
    assert (shown["asset_tag"], shown["alternative"], shown["support_party"]) == ("RVN-2262-00001", 2, "municipality")
    assert shown["policy_pending"] == f"work order {bundle / 'POLICY-R52W700006.txt'}"
    vardmote(kit_env, "kit", "policy-done", "RVN-2260-00001")
    assert (
        json.loads(vardmote(kit_env, "kit", "show", "352099001760061", "-f", "json").stdout)["policy_pending"] is None
    )
    history = vardmote(kit_env, "kit", "history", "RVN-2262-00001").stdout
    assert "retag" in history
    assert "policy-confirmed" in history
    assert "RVN-2260-00001" in history  # the entries under its earlier tag are part of its history
    assert vardmote(kit_env, "kit", "audit", "--verify").returncode == 0


def test_a_municipalitys_switch_of_alternative_is_one_command_with_a_dry_run(
    kit_env: dict[str, str], profiles_copy: Path
) -> None:
    env = {**kit_env, "VARDMOTE_PROFILES_DIR": str(profiles_copy)}
    timra_kit = ("--serial", "R52W700011", "--imei", "352099001760996", "--iccid", "8946010000000000012")
    vardmote(env, "kit", "enroll", *timra_kit, "--model", "samsung-galaxy-tab-s10-plus-5g", "--municipality", "Timrå")
    timra = profiles_copy / "municipalities" / "timra.yaml"
    before = timra.read_text(encoding="utf-8")
    # Under alternative 1 the region holds the subscription: Timrå's own APN profile no longer fits.
    refused = vardmote(env, "municipality", "set-alternative", "Timrå", "1", "--reason", "avtal 2027", check=False)
    assert refused.returncode == 1
    assert "'kommun-public-apn' is held by the municipality, but under alternative 1" in " ".join(
        refused.stderr.split()
    )
    args = [
        "municipality",
        "set-alternative",
        "Timrå",
        "1",
        "--broadband-profile",
        "rvn-private-apn",
        "--reason",
        "avtal 2027",
    ]
    dry = vardmote(env, *args, "--dry-run").stdout
    assert (
        "RVN-2262-00001: tag unchanged; support municipality → region; APN online.telia.se (kommun-public-apn) → "
        "vardmote.rvn.example (rvn-private-apn); policy kiosk-2262-video-webclient (unchanged); label rewritten; "
        "work order in the bundle" in dry
    )
    assert "dry run: nothing was changed" in dry
    assert timra.read_text(encoding="utf-8") == before
    assert (
        json.loads(vardmote(env, "kit", "show", "RVN-2262-00001", "-f", "json").stdout)["support_party"]
        == "municipality"
    )
    done = vardmote(env, *args).stdout
    assert "Timrå is now alternative 1" in done
    assert "alternative: 1" in timra.read_text(encoding="utf-8")
    assert "# Timrå kommun" in timra.read_text(encoding="utf-8")  # its comments are kept
    shown = json.loads(vardmote(env, "kit", "show", "RVN-2262-00001", "-f", "json").stdout)
    assert (shown["alternative"], shown["support_party"]) == (1, "region")
    assert shown["policy_pending"].startswith("work order ")
    bundle = Path(env["VARDMOTE_BUNDLE_DIR"]) / "RVN-2262-00001"
    policy = json.loads((bundle / "amapi-policy.json").read_text(encoding="utf-8"))
    assert policy["deviceConnectivityManagement"]["apnPolicy"]["apnSettings"][0]["apn"] == "vardmote.rvn.example"
    assert "Regionens" in (bundle / "label.svg").read_text(encoding="utf-8")
    entries = vardmote(env, "kit", "history", "RVN-2262-00001").stdout.count("│ retag")
    again = vardmote(env, *args).stdout  # idempotent: nothing more happens, nothing more is logged
    assert "Timrå is now alternative 1" in again
    assert vardmote(env, "kit", "history", "RVN-2262-00001").stdout.count("│ retag") == entries == 1
    assert vardmote(env, "profiles", "validate").returncode == 0


def test_the_registry_module_runs_stand_alone_without_the_action_plugins(
    kit_env: dict[str, str], tmp_path: Path
) -> None:
    # Ansible packs a file in library/ as a module only if it imports ansible.module_utils itself; the
    # action plugins usually shadow the modules, so this runs one where they are not on the path.
    ansible = str(Path(VARDMOTE).with_name("ansible"))
    kit = {"serial": "R52W700006", "model": "samsung-galaxy-tab-s10-plus-5g", "municipality_code": "2260"}
    arguments = {"action": "register", "kits": [kit], "owner": "stand-alone", "actor": "tekniker@example"}
    env = {**kit_env, "ANSIBLE_LIBRARY": str(REPO_ROOT / "provisioning" / "library")}
    command = [ansible, "localhost", "-i", "localhost,", "-c", "local", "-m", "vardmote_kit_registry"]
    command += ["-e", f"ansible_python_interpreter={Path(VARDMOTE).with_name('python')}", "-a", json.dumps(arguments)]
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(k["serial"], k["status"]) for k in kits(kit_env)] == [("R52W700006", "registered")]


def test_the_enroll_playbook_runs_without_the_command_as_awx_would(kit_env: dict[str, str], tmp_path: Path) -> None:
    """Run by `vardmote kit`, the tasks hand their work to the command; run by AWX or by hand, the action
    plugins do it inside ansible-playbook. The same playbook, the same kit, the same result."""
    playbook = str(Path(VARDMOTE).with_name("ansible-playbook"))
    kit = {"serial": "R52W700006", "imei": "352099001760061", "iccid": "8946010000000000061",
           "model": "samsung-galaxy-tab-s10-plus-5g", "municipality_code": "2260"}  # fmt: skip
    extravars = {"vardmote_kits": [kit], "vardmote_actor": "tekniker@example", "vardmote_run_owner": "awx-job-1"}
    env = {k: v for k, v in kit_env.items() if k != "VARDMOTE_KIT_TASKS_SERVED"}
    env["ANSIBLE_CONFIG"] = str(REPO_ROOT / "provisioning" / "ansible.cfg")
    result = subprocess.run(
        [playbook, str(REPO_ROOT / "provisioning" / "enroll_kit.yml"), "-e", json.dumps(extravars)],
        env=env, cwd=REPO_ROOT / "provisioning", capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(k["asset_tag"], k["status"]) for k in kits(kit_env)] == [("RVN-2260-00001", "enrolled")]
    bundle = Path(kit_env["VARDMOTE_BUNDLE_DIR"]) / "RVN-2260-00001"
    assert {"amapi-policy.json", "label.pdf", "provisioning-qr.png"} <= {p.name for p in bundle.iterdir()}
    assert vardmote(kit_env, "kit", "audit", "--verify").returncode == 0
