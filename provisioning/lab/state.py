"""What the lab made, kept in `state.json` so `status` and `down` know it (written atomically)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

from provisioning.lab.hosts import LabHost


class HostState(BaseModel):
    name: str
    role: str
    address: str
    interface: str
    gateway: str
    netns: str
    veth: str
    mac: str
    pid: int | None = None  # the host's systemd-nspawn process


class LabState(BaseModel):
    ip_forward_before: str | None = None  # restored by `down`
    gateways: list[str] = []
    hosts: list[HostState] = []

    def host(self, name: str) -> HostState | None:
        return next((host for host in self.hosts if host.name == name), None)


def host_state(host: LabHost) -> HostState:
    return HostState(
        name=host.name,
        role=host.role,
        address=host.address,
        interface=host.interface,
        gateway=host.gateway,
        netns=host.netns,
        veth=host.veth,
        mac=host.mac,
    )


def load_state(path: Path) -> LabState:
    if not path.exists():
        return LabState()
    return LabState.model_validate_json(path.read_text(encoding="utf-8"))


def save_state(path: Path, state: LabState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(state.model_dump_json(indent=2), encoding="utf-8")
    os.replace(partial, path)
