"""The lab's internet (vardmote/lab/internet.py): static NAT from the stack, the home router's rules,
the DNS names, and a machine whose own networks the lab would shadow."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from vardmote.lab import internet
from vardmote.lab import network as lab_network
from vardmote.lab.hosts import lab_stack
from vardmote.lab.system import LabError
from vardmote.platform.config import PlatformConfig
from vardmote.platform.stack_files import project_dir


@pytest.fixture(scope="module")
def lab() -> tuple[dict[str, Any], PlatformConfig]:
    return lab_stack(project_dir())


def test_the_lab_stack_s_static_nat_and_public_names(lab: tuple[dict[str, Any], PlatformConfig]) -> None:
    outputs, platform = lab
    nat = internet.static_nat_of(outputs)
    assert {(entry.host, entry.public_address, entry.address) for entry in nat} == {
        ("lab-edge-01", "198.51.100.10", "10.231.0.138"),
        ("lab-turn-01", "198.51.100.11", "10.231.0.139"),
    }
    # The TURN relay host is also the reverse proxy: the portal's and the TURN realm's names reach it.
    assert internet.public_names(platform, nat) == {
        "portal.lab.vardmote.example": "198.51.100.11",
        "turn.lab.vardmote.example": "198.51.100.11",
        "trunk.lab.vardmote.example": internet.OPERATOR.address,
    }


def test_a_public_address_outside_the_lab_s_internet_is_refused() -> None:
    outputs = {
        "static_nat": [
            {"host": "lab-turn-01", "role": "turn", "public_address": "195.198.101.20", "address": "10.231.0.139"}
        ]
    }
    with pytest.raises(LabError, match=r"lab-turn-01's public address 195\.198\.101\.20 is not in the lab's internet"):
        internet.static_nat_of(outputs)


def test_the_home_router_lets_out_what_its_policy_says() -> None:
    assert internet.home_policy_rules("web").splitlines() == [
        "flush chain ip vardmote_lab home_out",
        "add rule ip vardmote_lab home_out tcp dport 443 accept",
    ]
    assert internet.home_policy_rules("open").splitlines()[1] == "add rule ip vardmote_lab home_out accept"
    assert internet.home_policy_rules("closed").splitlines() == ["flush chain ip vardmote_lab home_out"]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("nft") is None, reason="nft -c needs root")
def test_the_lab_s_nft_table_with_its_internet_is_valid_nftables(
    lab: tuple[dict[str, Any], PlatformConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs, _ = lab
    written: list[str] = []
    monkeypatch.setattr(lab_network, "run", lambda command, stdin=None, check=True: written.append(stdin or ""))
    monkeypatch.setattr(lab_network, "IP_FORWARD", Path(os.devnull))
    lab_network.ensure_nat(["10.231.0.0/26"], internet.nft_chains(internet.static_nat_of(outputs)))
    table = written[0]
    assert "ip daddr 198.51.100.11 dnat to 10.231.0.139" in table
    assert "ip saddr 192.168.77.0/24 snat to 198.51.100.77" in table
    checked = subprocess.run(["nft", "-c", "-f", "-"], input=table, text=True, capture_output=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_a_machine_that_routes_the_lab_s_internet_itself_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = '[{"dst": "default", "dev": "eth0"}, {"dst": "198.51.100.0/25", "dev": "eth1"}]'
    monkeypatch.setattr(
        internet, "run", lambda command, check=True: subprocess.CompletedProcess(command, 0, routes, "")
    )
    with pytest.raises(
        LabError, match=r"this machine routes 198\.51\.100\.0/25 on eth1, which overlaps the lab's 198\.51\.100\.0/24"
    ):
        internet.check_machine_free()
    lab_routes = '[{"dst": "default", "dev": "eth0"}, {"dst": "198.51.100.32/28", "dev": "vmlab-voperator"}]'
    monkeypatch.setattr(
        internet, "run", lambda command, check=True: subprocess.CompletedProcess(command, 0, lab_routes, "")
    )
    internet.check_machine_free()  # its own routes, from an earlier `up`, are no clash


def test_the_lab_s_dns_server_must_be_one_the_lab_can_play(lab: tuple[dict[str, Any], PlatformConfig]) -> None:
    _, platform = lab
    gateways = ["10.231.0.1/26", "10.231.0.65/26"]
    assert internet.resolver_address(platform, gateways) == "10.231.0.1"
    with pytest.raises(LabError, match=r"dns_servers\[0\] is 10\.231\.0\.1, which is not a gateway address"):
        internet.resolver_address(platform, ["10.231.0.65/26"])


def test_the_resolver_answers_only_the_lab_s_own_names_inside_its_domain() -> None:
    command = internet.resolver_command(
        ["10.231.0.1"], {"portal.lab.vardmote.example": "198.51.100.11"}, "lab.vardmote.example"
    )
    assert "--host-record=portal.lab.vardmote.example,198.51.100.11" in command
    assert "--local=/lab.vardmote.example/" in command  # other lab names are unknown, never asked upstream
    assert "--listen-address=10.231.0.1" in command
    assert "--bind-interfaces" in command
