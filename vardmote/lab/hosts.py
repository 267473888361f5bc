"""The lab's hosts, read from what the `lab` stack exports: its nodes, address plan and inventory."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vardmote.lab.layout import NETNS_PREFIX, VETH_PREFIX
from vardmote.lab.system import LabError
from vardmote.platform.config import PlatformConfig

LAB_STACK = "lab"


class LabHost(BaseModel):
    """A lab host as the stack plans it (and as the lab's state records it)."""

    name: str
    role: str
    address: str
    network: str  # e.g. 10.231.0.128/26
    gateway: str  # the host's subnet gateway: an address of the lab bridge
    index: int
    pid: int | None = None  # its systemd-nspawn, once booted

    @property
    def interface(self) -> str:
        """The address with its prefix length, as `ip addr add` takes it."""
        return f"{self.address}/{ipaddress.ip_network(self.network).prefixlen}"

    @property
    def netns(self) -> str:
        return f"{NETNS_PREFIX}{self.name}"[:64]

    @property
    def veth(self) -> str:
        return f"{VETH_PREFIX}{self.index}"  # interface names are at most 15 characters

    @property
    def mac(self) -> str:
        # A fixed, locally administered MAC per host: a re-created lab answers ARP with the same
        # address, so neighbours' caches never point at a veth that is gone.
        return f"02:76:6d:6c:00:{self.index:02x}"


def hosts_from_outputs(outputs: dict[str, Any]) -> list[LabHost]:
    """Every node the stack declares in its inventory, with its subnet and gateway from the address plan."""
    inventory_hosts = {
        name for group in outputs["ansible_inventory"]["all"]["children"].values() for name in group.get("hosts", {})
    }
    subnets = {(entry["site"], entry["role"]): entry for entry in outputs["address_plan"]}
    hosts: list[LabHost] = []
    for node in sorted(outputs["nodes"], key=lambda node: ipaddress.ip_address(node["address"])):
        if node["name"] not in inventory_hosts:
            continue
        subnet = subnets.get((node["site"], node["network"]))
        if subnet is None:
            raise LabError(f"node {node['name']}: no {node['network']} network at site {node['site']} in the plan")
        hosts.append(
            LabHost(
                name=node["name"],
                role=node["role"],
                address=node["address"],
                network=subnet["cidr"],
                gateway=subnet["gateway"],
                index=len(hosts) + 1,
            )
        )
    return hosts


def lab_stack_outputs(project: Path) -> dict[str, Any]:
    """Run the `lab` stack's real program offline and return its outputs (the engine is not needed:
    the lab's hosts are `existing`, so the outputs are known before anything is deployed)."""
    return lab_stack(project)[0]


def lab_stack(project: Path) -> tuple[dict[str, Any], PlatformConfig]:
    """The `lab` stack's outputs, run offline, and its validated platform configuration."""
    from vardmote.platform.preview import run_stack_offline  # noqa: PLC0415 - the Pulumi SDK loads only here

    recording, stack_file = run_stack_offline(project, LAB_STACK)
    return recording.outputs, stack_file.platform()
