"""The lab's network: one bridge that routes between the stack's subnets, a namespace per host, NAT out.

The bridge holds every subnet's gateway address, so traffic between the management, transcoding,
DMZ and services networks is routed by this machine as it would be by the region's routers, and
each host's own firewall sees the other hosts as they would be seen in production.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from vardmote.lab.hosts import LabHost
from vardmote.lab.layout import BRIDGE, NETNS_PREFIX, NFT_TABLE, VETH_PREFIX
from vardmote.lab.system import run
from vardmote.platform.address_plan import LAB_INTERNET

IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")


def _links() -> dict[str, dict[str, object]]:
    return {link["ifname"]: link for link in json.loads(run(["ip", "-json", "link", "show"]).stdout or "[]")}


def _bridge_addresses() -> set[str]:
    shown = json.loads(run(["ip", "-json", "addr", "show", "dev", BRIDGE]).stdout or "[]")
    return {f"{info['local']}/{info['prefixlen']}" for link in shown for info in link.get("addr_info", [])}


def netns_names() -> list[str]:
    shown = run(["ip", "-json", "netns", "list"]).stdout.strip()
    return [entry["name"] for entry in json.loads(shown or "[]") if entry["name"].startswith(NETNS_PREFIX)]


def ensure_bridge(gateways: list[str]) -> None:
    """The bridge with each subnet's gateway address (`gateways` as address/prefix)."""
    if BRIDGE not in _links():
        run(["ip", "link", "add", BRIDGE, "type", "bridge"])
    present = _bridge_addresses()
    for gateway in gateways:
        if gateway not in present:
            run(["ip", "addr", "add", gateway, "dev", BRIDGE])
    run(["ip", "link", "set", BRIDGE, "up"])


def ensure_host_link(host: LabHost) -> None:
    """The host's namespace, with a veth whose far end is the host's eth0, its address and default route."""
    if host.netns not in netns_names():
        run(["ip", "netns", "add", host.netns])
    if host.veth not in _links():
        run(["ip", "link", "add", host.veth, "type", "veth", "peer", "name", "eth0", "netns", host.netns])
    run(["ip", "link", "set", host.veth, "master", BRIDGE, "up"])
    inside = ["ip", "-n", host.netns]
    run([*inside, "link", "set", "lo", "up"])
    run([*inside, "link", "set", "eth0", "address", host.mac])
    run([*inside, "link", "set", "eth0", "up"])
    if host.interface not in run([*inside, "-o", "addr", "show", "dev", "eth0"]).stdout:
        run([*inside, "addr", "add", host.interface, "dev", "eth0"])
    run([*inside, "route", "replace", "default", "via", host.gateway])


def ensure_nat(lab_networks: list[str], outside_chains: str = "") -> str:
    """Masquerade the lab's traffic to the real outside (apt reaches the mirror), not to the lab's own
    internet, whose chains (`outside_chains`, see internet.py) join the same table; return
    ip_forward's old value."""
    before = IP_FORWARD.read_text(encoding="ascii").strip()
    IP_FORWARD.write_text("1\n", encoding="ascii")
    networks = ", ".join(str(ipaddress.ip_network(net)) for net in lab_networks)
    internet = ", ".join(str(cidr) for cidr in LAB_INTERNET.iter_cidrs())
    # Re-created whole on every `up`: one `nft -f` replaces the table atomically.
    rules = f"""
table ip {NFT_TABLE} {{}}
delete table ip {NFT_TABLE}
table ip {NFT_TABLE} {{
    set lab {{ type ipv4_addr; flags interval; elements = {{ {networks} }} }}
    set internet {{ type ipv4_addr; flags interval; elements = {{ {internet} }} }}
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr @lab ip daddr != @lab ip daddr != @internet masquerade
    }}
{outside_chains}
}}
"""
    run(["nft", "-f", "-"], stdin=rules)
    return before


def remove_network(ip_forward_before: str | None) -> None:
    """Remove the namespaces, links and nft table the lab made (found by name), restore ip_forward."""
    for netns in netns_names():
        run(["ip", "netns", "delete", netns])
    for name in _lab_links():
        run(["ip", "link", "delete", name], check=False)  # a veth goes with its peer's namespace
    if _nat_table_exists():
        run(["nft", "delete", "table", "ip", NFT_TABLE])
    if ip_forward_before is not None:
        IP_FORWARD.write_text(f"{ip_forward_before}\n", encoding="ascii")


def network_present() -> list[str]:
    """What of the lab's network exists now, for `status` and for proving `down` left nothing."""
    present = [f"netns {name}" for name in netns_names()]
    present += [f"link {name}" for name in _lab_links()]
    if _nat_table_exists():
        present.append(f"nft table ip {NFT_TABLE}")
    return present


def link_names() -> list[str]:
    return list(_links())


def _lab_links() -> list[str]:
    return [name for name in _links() if name == BRIDGE or name.startswith(VETH_PREFIX)]


def _nat_table_exists() -> bool:
    return run(["nft", "list", "table", "ip", NFT_TABLE], check=False).returncode == 0
