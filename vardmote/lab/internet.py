"""The lab's internet: what lies outside the region and how it reaches in.

The region's own networks are the lab's bridge (network.py). Around them this machine also plays:

- **the region's firewall**, mapping each edge node's and TURN relay's static NAT address (the
  stack's `sites[].public`, exported as `static_nat`) to its DMZ address and back;
- **a patient's home**: a namespace (`vmlab-home`) on a private LAN behind a home router, which
  masquerades it to one public address and, by default, lets only TCP/443 and DNS out, as many home
  and mobile networks do (`vardmote lab home open|web|closed` changes that);
- **the phone operator**: a namespace (`vmlab-operator`) on the operator's own network, where the
  SIP trunk's far end runs. Operators hand municipalities their trunk over an interconnect, so the
  region's gateway reaches it, and it the gateway, by routing, without NAT;
- **DNS**: a resolver at the stack's DNS server address (and at the home router) that knows the
  lab's public names (the portal, the TURN realm: the TURN relay's public address; the trunk: the
  operator) and asks this machine's resolver for every other name, so apt in the hosts still works.

Its addresses are documentation ranges (RFC 5737, vardmote.platform.address_plan.LAB_INTERNET)
and a private LAN for the home, so the lab shadows no real host.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vardmote.lab import containers, network
from vardmote.lab.layout import NETNS_PREFIX, NFT_TABLE, VETH_PREFIX, LabLayout, cgroup_dirs
from vardmote.lab.system import LabError, run
from vardmote.platform.address_plan import LAB_INTERNET
from vardmote.platform.config import PlatformConfig

HomePolicy = Literal["open", "web", "closed"]
HOME_POLICIES: dict[HomePolicy, str] = {
    "web": "only TCP/443 and DNS out (a strict home or mobile network)",
    "open": "everything out (an ordinary home network)",
    "closed": "nothing out but DNS (the connection is down)",
}
DEFAULT_HOME_POLICY: HomePolicy = "web"
RESOLVER = "lab-resolver"  # its cgroup, beside the hosts' under vardmote-lab
NETNS_CONFIG = Path("/etc/netns")  # `ip netns exec` binds NETNS_CONFIG/<ns>/resolv.conf over /etc/resolv.conf


@dataclass(frozen=True)
class OutsideHost:
    """A namespace outside the region, linked to this machine by a veth of its own."""

    name: str
    router: str  # this machine's end of the link, address/prefix
    interface: str  # the namespace's end, address/prefix
    public: str | None  # the one address the internet sees it as (its router's NAT), or None if routed

    @property
    def netns(self) -> str:
        return f"{NETNS_PREFIX}{self.name}"

    @property
    def link(self) -> str:
        return f"{VETH_PREFIX}{self.name[:8]}"

    @property
    def address(self) -> str:
        return self.interface.split("/")[0]

    @property
    def router_address(self) -> str:
        return self.router.split("/")[0]

    @property
    def network(self) -> str:
        return str(ipaddress.ip_interface(self.interface).network)


HOME = OutsideHost("home", router="192.168.77.1/24", interface="192.168.77.2/24", public="198.51.100.77")
OPERATOR = OutsideHost("operator", router="198.51.100.33/28", interface="198.51.100.34/28", public=None)
OUTSIDE = (HOME, OPERATOR)


@dataclass(frozen=True)
class StaticNat:
    host: str
    role: str
    public_address: str
    address: str


def static_nat_of(outputs: dict[str, Any]) -> list[StaticNat]:
    """The stack's `static_nat` output, each public address checked to be in the lab's internet."""
    entries = [
        StaticNat(entry["host"], entry["role"], entry["public_address"], entry["address"])
        for entry in outputs.get("static_nat", [])
    ]
    for entry in entries:
        if not any(ipaddress.ip_address(entry.public_address) in net for net in _lab_internet()):
            raise LabError(
                f"Pulumi.lab.yaml: {entry.host}'s public address {entry.public_address} is not in the lab's "
                f"internet ({', '.join(str(net) for net in _lab_internet())})"
            )
    return entries


def _lab_internet() -> list[ipaddress.IPv4Network]:
    return [ipaddress.IPv4Network(str(cidr)) for cidr in LAB_INTERNET.iter_cidrs()]


def public_names(platform: PlatformConfig, nat: list[StaticNat]) -> dict[str, str]:
    """The names the outside uses, with the address it reaches each at."""
    relays = [entry for entry in nat if entry.role == "turn"]
    names: dict[str, str] = {}
    if relays:
        # The TURN relay hosts are also the reverse proxy for the portal and the web client (edge role).
        names[platform.turn.realm] = relays[0].public_address
        if platform.portal is not None:
            names[platform.portal.public_name] = relays[0].public_address
    if platform.gateway is not None and platform.gateway.sip_trunk is not None:
        names[platform.gateway.sip_trunk.proxy_address] = OPERATOR.address
    return names


def nft_chains(nat: list[StaticNat]) -> str:
    """The chains that play the region's firewall and the home router, in the lab's nft table (whose
    sets `lab`, the region's networks, and `internet`, the lab's internet, network.py makes)."""
    dnat = "\n".join(f"        ip daddr {e.public_address} dnat to {e.address}" for e in nat)
    snat = "\n".join(f"        ip saddr {e.address} ip daddr @internet snat to {e.public_address}" for e in nat)
    return f"""
    chain region_dnat {{
        type nat hook prerouting priority dstnat; policy accept;
{dnat}
    }}
    chain outside_snat {{
        type nat hook postrouting priority srcnat - 1; policy accept;
        ip saddr {HOME.network} snat to {HOME.public}
{snat}
    }}
    chain home_forward {{
        type filter hook forward priority filter; policy accept;
        iifname "{HOME.link}" ct state established,related accept
        iifname "{HOME.link}" jump home_out
        iifname "{HOME.link}" drop
    }}
    chain home_out {{
    }}
    chain home_input {{
        type filter hook input priority filter; policy accept;
        iifname "{HOME.link}" ct state established,related accept
        iifname "{HOME.link}" ip daddr {HOME.router_address} udp dport 53 accept
        iifname "{HOME.link}" ip daddr {HOME.router_address} tcp dport 53 accept
        iifname "{HOME.link}" drop
    }}
"""


def home_policy_rules(policy: HomePolicy) -> str:
    """What the home router lets out, as an `nft -f` script that replaces the previous choice."""
    rules = {"web": "tcp dport 443 accept", "open": "accept", "closed": ""}[policy]
    chain = f"ip {NFT_TABLE} home_out"
    return f"flush chain {chain}\n" + (f"add rule {chain} {rules}\n" if rules else "")


def set_home_policy(policy: HomePolicy) -> None:
    if run(["nft", "list", "chain", "ip", NFT_TABLE, "home_out"], check=False).returncode != 0:
        raise LabError("the lab is not up (no home router): run `vardmote lab up` first")
    run(["nft", "-f", "-"], stdin=home_policy_rules(policy))


def home_policy() -> HomePolicy | None:
    shown = run(["nft", "list", "chain", "ip", NFT_TABLE, "home_out"], check=False)
    if shown.returncode != 0:
        return None
    if "tcp dport 443 accept" in shown.stdout:
        return "web"
    return "open" if "accept" in shown.stdout else "closed"


def check_machine_free() -> None:
    """Refuse a machine whose own networks overlap the lab's internet or the home's LAN: the lab's
    routes would shadow them (a default route is fine: the lab's are more specific)."""
    ours = [*_lab_internet(), ipaddress.ip_network(HOME.network)]
    shown = json.loads(run(["ip", "-json", "route", "show", "table", "all"]).stdout or "[]")
    for route in shown:
        dst, device = route.get("dst", "default"), route.get("dev", "")
        if dst == "default" or device.startswith(NETNS_PREFIX) or route.get("type") not in (None, "unicast"):
            continue
        with contextlib.suppress(ValueError):
            taken = ipaddress.ip_network(dst, strict=False)
            clash = next((net for net in ours if taken.version == net.version and taken.overlaps(net)), None)
            if clash is not None:
                raise LabError(
                    f"this machine routes {dst} on {device}, which overlaps the lab's {clash}: the lab would "
                    "shadow it (docs/lab.md, the lab's internet)"
                )


def ensure_outside_host(host: OutsideHost) -> None:
    """The namespace, its link, addresses and default route (through this machine)."""
    if host.netns not in network.netns_names():
        run(["ip", "netns", "add", host.netns])
    if host.link not in network.link_names():
        run(["ip", "link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", host.netns])
    if host.router not in run(["ip", "-o", "addr", "show", "dev", host.link]).stdout:
        run(["ip", "addr", "add", host.router, "dev", host.link])
    run(["ip", "link", "set", host.link, "up"])
    inside = ["ip", "-n", host.netns]
    run([*inside, "link", "set", "lo", "up"])
    run([*inside, "link", "set", "eth0", "up"])
    if host.interface not in run([*inside, "-o", "addr", "show", "dev", "eth0"]).stdout:
        run([*inside, "addr", "add", host.interface, "dev", "eth0"])
    run([*inside, "route", "replace", "default", "via", host.router_address])
    config = NETNS_CONFIG / host.netns
    config.mkdir(parents=True, exist_ok=True)
    (config / "resolv.conf").write_text(f"nameserver {host.router_address}\n", encoding="ascii")


def resolver_command(listen: list[str], names: dict[str, str], domain: str) -> list[str]:
    """dnsmasq answering `names` (exactly those names), the lab's domain's other names as unknown, and
    every other name from this machine's resolver (/etc/resolv.conf)."""
    command = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--bind-interfaces", "--no-hosts"]
    command += ["--pid-file=", "--user=root", "--log-facility=-", "--cache-size=0"]
    command += [f"--listen-address={address}" for address in listen]
    command += [f"--host-record={name},{address}" for name, address in sorted(names.items())]
    command.append(f"--local=/{domain}/")
    return command


def ensure_resolver(layout: LabLayout, listen: list[str], names: dict[str, str], domain: str) -> bool:
    """Start the lab's resolver unless it runs; True if it was started."""
    folders = cgroup_dirs(RESOLVER)
    if containers.pids_in(folders):
        return False
    log_file = layout.host_dir(RESOLVER) / "dnsmasq.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            containers.started_in(folders, resolver_command(listen, names, domain)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        process.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        return True
    raise LabError(f"the lab's DNS (dnsmasq) exited at once; see {log_file}")


def resolver_address(platform: PlatformConfig, gateways: list[str]) -> str:
    """The stack's first DNS server, which must be one of the bridge's addresses for the lab to play it."""
    if not platform.dns_servers:
        raise LabError("Pulumi.lab.yaml: vardmote:platform.dns_servers is empty: the lab plays the first one")
    wanted = str(platform.dns_servers[0])
    if wanted not in {gateway.split("/")[0] for gateway in gateways}:
        raise LabError(
            f"Pulumi.lab.yaml: vardmote:platform.dns_servers[0] is {wanted}, which is not a gateway address of "
            "the lab's networks; the lab serves its DNS there"
        )
    return wanted


def remove_netns_config() -> None:
    for host in OUTSIDE:
        shutil.rmtree(NETNS_CONFIG / host.netns, ignore_errors=True)


def leftover_config() -> list[str]:
    return [f"folder {NETNS_CONFIG / host.netns}" for host in OUTSIDE if (NETNS_CONFIG / host.netns).exists()]
