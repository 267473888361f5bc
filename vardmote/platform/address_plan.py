"""The address plan: which host gets which address on which network, the same on every run.

Hosts are laid out per site and network in a fixed order (management node, transcoding nodes, edge
nodes, TURN relays, portal, gateway), each network keeping its first `reserved` addresses for the
gateway and other infrastructure. Networks may not overlap within or across sites.

The plan knows networks and hosts, not the stack's configuration: `PlatformConfig.address_plan()`
says which hosts each site's networks hold and calls `plan_addresses`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, Protocol

import netaddr

from vardmote.core.problems import format_field_path
from vardmote.core.validation import FieldError

NetworkRole = Literal["management", "transcoding", "dmz", "services"]
NETWORK_ROLES: tuple[NetworkRole, ...] = ("management", "transcoding", "dmz", "services")
HOST_ROLES = ("management", "transcoding", "edge", "turn", "portal", "gateway")


class PlannedNetwork(Protocol):
    """What the plan reads of a network (the stack's `sites[].networks.<role>`)."""

    @property
    def cidr(self) -> str: ...
    @property
    def port_group(self) -> str: ...
    @property
    def gateway(self) -> str | None: ...
    @property
    def reserved(self) -> int: ...


@dataclass(frozen=True)
class SiteLayout:
    """One site as the plan sees it: its four networks, and the hosts each holds as (name, role)
    in the plan's fixed order."""

    name: str
    networks: Mapping[NetworkRole, PlannedNetwork]
    hosts: Mapping[NetworkRole, Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class HostAddress:
    """One host's place in the plan."""

    name: str
    role: str
    site: str
    network: NetworkRole
    address: str
    prefix_length: int
    netmask: str
    gateway: str
    port_group: str


@dataclass(frozen=True)
class NetworkPlan:
    site: str
    role: NetworkRole
    cidr: str
    gateway: str
    first_host: str
    last_host: str
    used: int
    capacity: int


@dataclass(frozen=True)
class AddressPlan:
    hosts: tuple[HostAddress, ...]
    networks: tuple[NetworkPlan, ...]

    def host(self, name: str) -> HostAddress:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(f"no host {name!r} in the address plan")

    def of_role(self, role: str, site: str | None = None) -> list[HostAddress]:
        return [h for h in self.hosts if h.role == role and (site is None or h.site == site)]


def host_name(site: str, role: str, index: int) -> str:
    """Host names double as Pexip node names, which may have at most 32 characters."""
    short = {"management": "pexmgr", "transcoding": "conf", "edge": "edge"}.get(role, role)
    return f"{site}-{short}-{index:02d}"


def _gateway_of(
    network: PlannedNetwork, ip_network: netaddr.IPNetwork, loc: tuple[str | int, ...]
) -> netaddr.IPAddress:
    if network.gateway is None:
        return ip_network[1]
    gateway = netaddr.IPAddress(network.gateway)
    if gateway.version != ip_network.version:
        raise FieldError((*loc, "gateway"), f"{gateway} is IPv{gateway.version}, the network IPv{ip_network.version}")
    if gateway not in ip_network:
        raise FieldError((*loc, "gateway"), f"{gateway} is outside {ip_network}")
    if gateway in (ip_network.network, ip_network.broadcast):
        which = "network" if gateway == ip_network.network else "broadcast"
        raise FieldError((*loc, "gateway"), f"{gateway} is the {which} address of {ip_network}: no host may hold it")
    return gateway


def plan_addresses(sites: Sequence[SiteLayout]) -> AddressPlan:
    """The whole plan; raises FieldError (located in the config, `sites[i]` being `sites`' i-th) for
    overlaps and networks too small."""
    _check_no_overlap(sites)
    hosts: list[HostAddress] = []
    networks: list[NetworkPlan] = []
    for site_index, site in enumerate(sites):
        for role in NETWORK_ROLES:
            network = site.networks[role]
            loc = ("sites", site_index, "networks", role)
            ip_network = netaddr.IPNetwork(network.cidr)
            gateway = _gateway_of(network, ip_network, loc)
            first_index = network.reserved + 1
            capacity = max(0, ip_network.size - 1 - first_index)  # the last address is broadcast
            members = list(site.hosts.get(role, ()))
            if len(members) > capacity:
                raise FieldError(
                    (*loc, "cidr"),
                    f"{network.cidr} has room for {capacity} hosts after {network.reserved} reserved addresses, "
                    f"but {len(members)} are needed ({_describe(members)})",
                )
            for offset, (name, host_role) in enumerate(members):
                address = ip_network[first_index + offset]
                if address == gateway:
                    raise FieldError((*loc, "gateway"), f"{gateway} collides with the address of {name}")
                hosts.append(
                    HostAddress(
                        name=name,
                        role=host_role,
                        site=site.name,
                        network=role,
                        address=str(address),
                        prefix_length=ip_network.prefixlen,
                        netmask=str(ip_network.netmask),
                        gateway=str(gateway),
                        port_group=network.port_group,
                    )
                )
            networks.append(
                NetworkPlan(
                    site=site.name,
                    role=role,
                    cidr=network.cidr,
                    gateway=str(gateway),
                    first_host=str(ip_network[first_index]) if capacity else "-",
                    last_host=str(ip_network[-2]) if capacity else "-",
                    used=len(members),
                    capacity=capacity,
                )
            )
    return AddressPlan(tuple(hosts), tuple(networks))


def _describe(members: list[tuple[str, str]]) -> str:
    counts: dict[str, int] = {}
    for _, role in members:
        counts[role] = counts.get(role, 0) + 1
    return ", ".join(f"{count} {role}" for role, count in counts.items())


def _check_no_overlap(sites: Sequence[SiteLayout]) -> None:
    located = [
        (("sites", site_index, "networks", role, "cidr"), netaddr.IPNetwork(site.networks[role].cidr))
        for site_index, site in enumerate(sites)
        for role in NETWORK_ROLES
    ]
    for (first_loc, first), (second_loc, second) in combinations(located, 2):
        if first.first <= second.last and second.first <= first.last:
            raise FieldError(second_loc, f"{second} overlaps {format_field_path(first_loc)} ({first})")
