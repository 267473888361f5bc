"""The address plan: which host gets which address on which network, the same on every run.

Hosts are laid out per site and network in a fixed order (management node, transcoding nodes, edge
nodes, TURN relays, portal, gateway), each network keeping its first `reserved` addresses for the
gateway and other infrastructure. Networks may not overlap within or across sites.

The public side: the edge nodes and TURN relays in a site's DMZ face the internet, each at the static
NAT address the region's firewall maps to its DMZ address (`sites[].public`). Those addresses must be
globally routable IPv4 addresses outside every internal network of the stack, one per host, none twice.

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
# The host roles that face the internet, with the key of `sites[].public` that lists their addresses.
PUBLIC_ROLES = {"edge": "edge_nodes", "turn": "turn_relays"}
_PUBLIC_WORDS = {"edge": ("edge node", "edge nodes"), "turn": ("TURN relay", "TURN relays")}

# IANA's IPv4 special-purpose address registry (RFC 6890 and its successors): the ranges that are not
# globally routable, named so that an error can say which one an address fell into.
# The lab's stand-in for the internet (`vardmote lab up`: the patient's home, the phone operator, the
# edge's static NAT): TEST-NET-2 (RFC 5737), which no real host holds, so the lab shadows nobody (lab
# up refuses a machine that routes it elsewhere; some test networks use the other documentation ranges).
LAB_INTERNET = netaddr.IPSet(["198.51.100.0/24"])

NOT_GLOBAL = [
    (netaddr.IPNetwork("0.0.0.0/8"), "'this network'"),
    (netaddr.IPNetwork("10.0.0.0/8"), "private, RFC 1918"),
    (netaddr.IPNetwork("100.64.0.0/10"), "shared address space of carrier-grade NAT, RFC 6598"),
    (netaddr.IPNetwork("127.0.0.0/8"), "loopback"),
    (netaddr.IPNetwork("169.254.0.0/16"), "link-local"),
    (netaddr.IPNetwork("172.16.0.0/12"), "private, RFC 1918"),
    (netaddr.IPNetwork("192.0.0.0/24"), "IETF protocol assignments"),
    (netaddr.IPNetwork("192.0.2.0/24"), "documentation, TEST-NET-1"),
    (netaddr.IPNetwork("192.168.0.0/16"), "private, RFC 1918"),
    (netaddr.IPNetwork("198.18.0.0/15"), "benchmarking, RFC 2544"),
    (netaddr.IPNetwork("198.51.100.0/24"), "documentation, TEST-NET-2"),
    (netaddr.IPNetwork("203.0.113.0/24"), "documentation, TEST-NET-3"),
    (netaddr.IPNetwork("224.0.0.0/4"), "multicast"),
    (netaddr.IPNetwork("240.0.0.0/4"), "reserved"),
]


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
    """One site as the plan sees it: its four networks, the hosts each holds as (name, role) in the
    plan's fixed order, and, where the site has a public side, the static NAT addresses of its hosts
    by role (PUBLIC_ROLES), in the order of those hosts."""

    name: str
    networks: Mapping[NetworkRole, PlannedNetwork]
    hosts: Mapping[NetworkRole, Sequence[tuple[str, str]]]
    public: Mapping[str, Sequence[str]] | None = None


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
    public_address: str | None = None  # the static NAT address the internet reaches it at, if any


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


def plan_addresses(sites: Sequence[SiteLayout], *, lab: bool = False) -> AddressPlan:
    """The whole plan; raises FieldError (located in the config, `sites[i]` being `sites`' i-th) for
    overlaps, networks too small and public addresses that the internet could not reach. The lab's
    internet is made of documentation addresses (see LAB_INTERNET), which `lab` allows as public ones."""
    _check_no_overlap(sites)
    public = _public_addresses(sites, lab=lab)
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
                        public_address=public.get(name),
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


def _public_addresses(sites: Sequence[SiteLayout], *, lab: bool) -> dict[str, str]:
    """host name → static NAT address, for the sites that have a public side; FieldError (at
    `sites[i].public.<key>[j]`) for a count that does not match the site's hosts, or an address that
    is not IPv4, not globally routable, inside one of the stack's networks, or given twice."""
    internal = [
        (("sites", site_index, "networks", role, "cidr"), netaddr.IPNetwork(site.networks[role].cidr))
        for site_index, site in enumerate(sites)
        for role in NETWORK_ROLES
    ]
    seen: dict[netaddr.IPAddress, tuple[str | int, ...]] = {}
    found: dict[str, str] = {}
    for site_index, site in enumerate(sites):
        if site.public is None:
            continue
        for role, key in PUBLIC_ROLES.items():
            loc = ("sites", site_index, "public", key)
            names = [name for members in site.hosts.values() for name, host_role in members if host_role == role]
            given = list(site.public.get(role, ()))
            if len(given) != len(names):
                raise FieldError(loc, _count_message(site.name, role, len(names), len(given)))
            for index, (name, value) in enumerate(zip(names, given, strict=True)):
                address = _reachable_address(value, (*loc, index), internal, lab=lab)
                if address in seen:
                    raise FieldError((*loc, index), f"{address} is already {format_field_path(seen[address])}")
                seen[address] = (*loc, index)
                found[name] = str(address)
    return found


def _count_message(site: str, role: str, planned: int, given: int) -> str:
    one, many = _PUBLIC_WORDS[role]
    where = "edge_nodes.count" if role == "edge" else "turn.sites"
    if not planned:
        return f"{site} plans no {one} ({where}), so no public address; got {given}"
    hosts = f"{planned} {one if planned == 1 else many}"
    addresses = f"{planned} public address{'' if planned == 1 else 'es'}"
    return f"{site} plans {hosts} ({where}), so {addresses}, one per {one} in order; got {given}"


def _reachable_address(
    value: str,
    loc: tuple[str | int, ...],
    internal: Sequence[tuple[tuple[str | int, ...], netaddr.IPNetwork]],
    *,
    lab: bool,
) -> netaddr.IPAddress:
    """The address, if a patient's browser at home could reach it; FieldError at `loc` if not."""
    address = netaddr.IPAddress(value)
    if lab and address in LAB_INTERNET:
        return address
    if address.version != 4:
        raise FieldError(
            loc,
            f"{value} is IPv6: a static NAT address is IPv4, as the site's networks are (Pexip's static_nat_address)",
        )
    for network, what in NOT_GLOBAL:
        if address in network:
            raise FieldError(
                loc, f"{address} is not globally routable ({network}, {what}): the internet could not reach it there"
            )
    for network_loc, network in internal:
        if address in network:
            raise FieldError(
                loc,
                f"{address} is in {format_field_path(network_loc)} ({network}), an internal network of the stack: "
                "a static NAT address lies outside them",
            )
    return address
