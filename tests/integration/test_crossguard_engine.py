"""The CrossGuard pack under the real Pulumi engine (`pulumi preview --policy-pack policies`), on the
lab stack: it passes the compliant stack, fails copies without a waiting room, with media encryption
off or with H.323 on with the same checks and messages as `vardmote policy check`, and applies the
same waivers.

Each case is a copy of the project's Pulumi files, program and pack in a temporary folder, with its own
file backend and PULUMI_HOME. A preview needs no Management API (nothing is created), so these run
without the lab. Skipped without an engine, except in CI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.pulumi_harness import lab_project_copy
from vardmote.platform.engine import ENGINE_MISSING, LAB_STACK, ensure_stack, find_pulumi, run_pulumi

VARDMOTE = str(Path(sys.executable).with_name("vardmote"))
REQUIRED = os.environ.get("VARDMOTE_REQUIRE_ENGINE") == "1"

if find_pulumi() is None:
    if REQUIRED:
        pytest.fail(f"VARDMOTE_REQUIRE_ENGINE=1 but {ENGINE_MISSING}", pytrace=False)
    pytest.skip(ENGINE_MISSING, allow_module_level=True)

NO_WAITING_ROOM = ("        guest_identity_provider: BankID test broker\n", "        guests_wait_for_host: false\n")
WAIVER = """---
waivers:
  - check: VM-PLAT-006
    target: "urn:pulumi:lab::*"
    justification: The lab's test rooms admit the test scripts without a host.
    approved_by: Regional IT security
    expires: {expires}
"""


# Where a copy of the lab stack takes a security setting of its own (its `vardmote:platform` has none).
SECURITY_ANCHOR = "    allowed_locations: [lab]\n"


def _project(tmp_path: Path, *, waiting_room: bool = True, waived: bool = False, security: str = "") -> Path:
    replacements = []
    if not waiting_room:
        anchor, added = NO_WAITING_ROOM
        replacements.append((anchor, anchor + added))
    if security:
        replacements.append((SECURITY_ANCHOR, f"{SECURITY_ANCHOR}    security: {security}\n"))
    project = lab_project_copy(tmp_path, replacements, folders=("infra", "policies"))
    if waived:
        expires = subprocess.run(["date", "-d", "+30 days", "+%F"], capture_output=True, text=True, check=True)
        (project / "policies" / "waivers.yaml").write_text(
            WAIVER.format(expires=expires.stdout.strip()), encoding="utf-8"
        )
    return project


def _pack(project: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env["PULUMI_HOME"] = str(tmp_path / "pulumi-home")
    state = tmp_path / "state"
    ensure_stack(LAB_STACK, cwd=project, env=env, state_dir=state)
    return run_pulumi(
        ["preview", "--stack", LAB_STACK, "--non-interactive", "--policy-pack", "policies"],
        cwd=project,
        env=env,
        state_dir=state,
        timeout=300,
    )


def _engine_findings(output: str) -> set[tuple[str, str]]:
    """(check id, message) of each violation the engine printed: `VM-XXX-NNN: <message>. Fix: …`."""
    found = set()
    for line in output.splitlines():
        match = re.match(r"\s*(VM-[A-Z]+-\d{3}): (.*?)\.?(?: Fix: .*)?$", line)
        if match and "Serves " not in line:
            found.add((match.group(1), match.group(2)))
    return found


def _offline_findings(project: Path) -> tuple[int, set[tuple[str, str]]]:
    result = subprocess.run(
        [VARDMOTE, "policy", "check", "--stack", LAB_STACK, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "VARDMOTE_PROJECT_DIR": str(project)},
        cwd=project,
    )
    report = json.loads(result.stdout)
    found = {
        (finding["check"], violation["message"])
        for finding in report["findings"]
        if finding.get("status") == "fail"
        for violation in finding.get("violations", [])
    }
    return result.returncode, found


def test_the_compliant_lab_stack_passes_the_pack(tmp_path: Path) -> None:
    result = _pack(_project(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✅ vardmote-platform" in result.stdout


def test_a_waiver_in_force_is_applied_by_the_pack_as_by_the_offline_review(tmp_path: Path) -> None:
    project = _project(tmp_path, waiting_room=False, waived=True)
    result = _pack(project, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rc, offline = _offline_findings(project)
    assert (rc, offline) == (0, set())


@pytest.mark.parametrize(
    ("changed", "check"),
    [
        ({"waiting_room": False}, "VM-PLAT-006"),
        ({"security": "{crypto_mode: 'off'}"}, "VM-PLAT-003"),
        ({"security": "{enable_h323: true}"}, "VM-PLAT-004"),
    ],
    ids=["no-waiting-room", "media-encryption-off", "h323-on"],
)
def test_a_weakened_copy_fails_the_pack_with_the_offline_reviews_checks_and_messages(
    tmp_path: Path, changed: dict[str, Any], check: str
) -> None:
    project = _project(tmp_path, **changed)
    result = _pack(project, tmp_path)
    assert result.returncode != 0
    engine = _engine_findings(result.stdout)
    rc, offline = _offline_findings(project)
    assert rc == 1
    assert engine == offline
    assert check in {found for found, _ in engine}
