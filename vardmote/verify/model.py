"""The hosts under verification: the stack's inventory (read by Ansible itself) and what each must do."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

EXPECTATIONS_FILE = Path(__file__).with_name("expectations.yml")
INVENTORY_ENV = "VARDMOTE_VERIFY_INVENTORY"


class Expectations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[str] = []
    listening: list[str] = []
    closed_tcp: list[int] = []
    open_tcp: list[int] = []
    open_tcp_from: dict[str, list[str]] = {}  # port → groups that may reach it
    closed_udp: list[int] = []
    tls: list[int] = []
    tls_without_1_3: list[int] = []  # TLS endpoints whose server software has no TLS 1.3 yet
    turn_tls: list[int] = []  # ports where TURN answers over TLS


class ExpectationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    all: Expectations
    groups: dict[str, Expectations]


@dataclass(frozen=True)
class VerifyHost:
    name: str
    address: str
    groups: tuple[str, ...]
    variables: dict[str, Any]
    expect: Expectations

    def var(self, name: str) -> Any:
        if name not in self.variables:
            raise KeyError(f"{self.name}: the inventory sets no {name}")
        return self.variables[name]


def _merged(common: Expectations, specific: list[Expectations]) -> Expectations:
    merged = common.model_dump()
    for extra in specific:
        for key, value in extra.model_dump().items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) else merged[key] + value
    intentional = {port for extra in specific for port in extra.open_tcp} | {
        int(port) for extra in specific for port in extra.open_tcp_from
    }
    merged["closed_tcp"] = [port for port in merged["closed_tcp"] if port not in intentional]
    return Expectations.model_validate(merged)


def load_hosts(inventory: Path) -> list[VerifyHost]:
    """Every host of the inventory, with its variables as Ansible reads them and its expectations."""
    from ansible.inventory.manager import InventoryManager  # noqa: PLC0415 - Ansible loads only here
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415

    spec = ExpectationsFile.model_validate(yaml.safe_load(EXPECTATIONS_FILE.read_text(encoding="utf-8")))
    manager = InventoryManager(loader=DataLoader(), sources=[str(inventory)])
    hosts = []
    for host in manager.get_hosts():
        variables = {**host.get_vars()}
        for group in host.get_groups():
            variables = {**group.get_vars(), **variables}
        groups = tuple(sorted(g.name for g in host.get_groups() if g.name not in ("all", "ungrouped")))
        known = [spec.groups[g] for g in groups if g in spec.groups]
        hosts.append(
            VerifyHost(
                name=host.name,
                address=str(variables.get("ansible_host", host.name)),
                groups=groups,
                variables=variables,
                expect=_merged(spec.all, known),
            )
        )
    return sorted(hosts, key=lambda h: h.name)


def inventory_from_environment() -> Path:
    value = os.environ.get(INVENTORY_ENV)
    if not value:
        raise RuntimeError(f"{INVENTORY_ENV} is not set: run the checks with `vardmote verify --stack NAME`")
    return Path(value)
