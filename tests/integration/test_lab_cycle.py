"""The whole lab cycle on real hosts: up, deploy, idempotent re-run, verify, broken roles caught, down.

Needs root, systemd-nspawn, debootstrap and nftables (scripts/bootstrap.sh installs them) and the
Debian mirror; `.ci/run` runs it. The base image is cached in /var/cache/vardmote/lab (or
VARDMOTE_LAB_IMAGE_CACHE) and reused; the lab itself lives in a temporary folder and is removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vardmote.core.playbooks import PlaybookResult, run_playbook
from vardmote.lab import containers, lifecycle
from vardmote.lab.layout import LAB_DIR_ENV, LabLayout
from vardmote.lab.network import IP_FORWARD
from vardmote.lab.state import load_state
from vardmote.platform.stack_files import project_dir

VARDMOTE = str(Path(sys.executable).with_name("vardmote"))
NEEDED = ("systemd-nspawn", "debootstrap", "nft")

# CI sets VARDMOTE_REQUIRE_LAB=1: there, a lab that cannot run is a failure, never a skip.
REQUIRED = os.environ.get("VARDMOTE_REQUIRE_LAB") == "1"


def _cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root"
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    return f"the lab needs {', '.join(missing)} (scripts/bootstrap.sh installs them)" if missing else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabLayout]:
    reason = _cannot_run()
    if reason:
        (pytest.fail if REQUIRED else pytest.skip)(reason)
    lab_dir = tmp_path_factory.mktemp("lab") / "lab"
    previous = os.environ.get(LAB_DIR_ENV)
    os.environ[LAB_DIR_ENV] = str(lab_dir)
    layout = LabLayout.from_environment()
    if lifecycle.leftovers(layout):
        (pytest.fail if REQUIRED else pytest.skip)(
            f"a lab is already up on this machine: {lifecycle.leftovers(layout)}"
        )
    forward_before = IP_FORWARD.read_text(encoding="ascii")
    try:
        yield layout
    finally:
        left = lifecycle.down(layout, lambda _: None)
        if previous is None:
            os.environ.pop(LAB_DIR_ENV, None)
        else:
            os.environ[LAB_DIR_ENV] = previous
    assert left == [], f"down left {left}"
    assert IP_FORWARD.read_text(encoding="ascii") == forward_before


def vardmote(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VARDMOTE, *arguments], capture_output=True, text=True, check=False, timeout=900)


def deploy(layout: LabLayout, extravars: dict[str, Any] | None = None, limit: str | None = None) -> PlaybookResult:
    return run_playbook("site.yml", extravars or {}, inventory=layout.inventory_dir, forks=10, limit=limit)


def changed(result: PlaybookResult) -> int:
    return sum(counts.get("changed", 0) for counts in result.stats.values())


def _nspawns(host: str) -> list[int]:
    return [
        pid
        for pid in containers.running_pids(host)
        if Path(f"/proc/{pid}/comm").read_text(encoding="ascii").strip() == "systemd-nspawn"
    ]


def test_an_up_killed_half_way_is_completed_by_the_next(lab: LabLayout) -> None:
    killed = subprocess.Popen([VARDMOTE, "lab", "up"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # on a machine without the cached image, debootstrap runs first
    while time.monotonic() < deadline and len(load_state(lab.state_file).hosts) < 3:
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    assert 0 < len(load_state(lab.state_file).hosts) < 6, "the up was meant to be killed half-way"

    state = lifecycle.up(lab, project_dir(), 120, lambda _: None)
    assert len(state.hosts) == 6
    for host in state.hosts:  # each host booted once: none twice over the same root and namespace
        assert _nspawns(host.name) == [host.pid]


def test_up_boots_every_host_of_the_lab_stack_and_a_second_up_is_harmless(lab: LabLayout) -> None:
    state = lifecycle.up(lab, project_dir(), 120, lambda _: None)
    names = sorted(host.name for host in state.hosts)
    assert names == ["lab-conf-01", "lab-edge-01", "lab-gateway-01", "lab-pexmgr-01", "lab-portal-01", "lab-turn-01"]
    pids = {host.name: host.pid for host in state.hosts}

    again = lifecycle.up(lab, project_dir(), 60, lambda _: None)
    assert {host.name: host.pid for host in again.hosts} == pids  # the running hosts were kept

    hosts, network = lifecycle.status(lab)
    assert all(host.running and host.ssh_port_open for host in hosts)
    assert "nft table ip vardmote_lab" in network


def test_first_deploy_configures_every_host_and_the_second_changes_nothing(lab: LabLayout) -> None:
    first = deploy(lab)
    assert first.ok, first.failed_tasks
    assert len(first.stats) == 6
    assert changed(first) > 0

    second = vardmote("deploy", "--stack", "lab")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "6 hosts configured, changed=0" in second.stdout


def test_verify_passes_on_the_deployed_lab(lab: LabLayout) -> None:
    result = vardmote("verify", "--stack", "lab")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "every check passed" in result.stdout
    assert " FAILED" not in result.stdout


def test_verify_names_a_port_a_broken_role_opened(lab: LabLayout) -> None:
    opened = [
        {"name": "portal (HTTPS)", "proto": "tcp", "ports": 443},
        {"name": "left open by mistake", "proto": "tcp", "ports": 8080},
    ]
    assert deploy(lab, {"baseline_firewall_allow": opened}, limit="lab-portal-01").ok
    result = vardmote("verify", "--stack", "lab", "--select", "dropped and lab-portal-01")
    assert result.returncode == 1
    assert (
        "lab-portal-01: the firewall must drop these TCP ports from lab-conf-01 (10.231.0.74), "
        "but 8080 was refused" in result.stdout
    )


def test_verify_names_tls_1_0_a_broken_role_allowed(lab: LabLayout) -> None:
    weakened = {"portal_tls_protocols": ["TLSv1", "TLSv1.2", "TLSv1.3"], "portal_tls_ciphers": "DEFAULT:@SECLEVEL=0"}
    assert deploy(lab, weakened, limit="lab-portal-01").ok
    result = vardmote("verify", "--stack", "lab", "--select", "old_tls and lab-portal-01")
    assert result.returncode == 1
    assert "lab-portal-01:443 accepted TLSv1: only TLS 1.2 and 1.3 are allowed" in result.stdout


def test_check_mode_shows_the_drift_and_changes_nothing(lab: LabLayout) -> None:
    checked = vardmote("deploy", "--stack", "lab", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "6 hosts configured, would change=" in checked.stdout
    assert "would change=0" not in checked.stdout  # the weakened portal differs from its role
    still_broken = vardmote("verify", "--stack", "lab", "--select", "old_tls and lab-portal-01")
    assert still_broken.returncode == 1


def test_a_deploy_repairs_what_was_broken(lab: LabLayout) -> None:
    repaired = deploy(lab, limit="lab-portal-01")
    assert repaired.ok
    assert changed(repaired) > 0
    result = vardmote("verify", "--stack", "lab", "--select", "lab-portal-01")
    assert result.returncode == 0, result.stdout[-4000:]
    checked = vardmote("deploy", "--stack", "lab", "--check")
    assert checked.returncode == 0
    assert "6 hosts configured, would change=0" in checked.stdout
