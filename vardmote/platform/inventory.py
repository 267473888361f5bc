"""The Ansible inventory the platform exports: hosts by role, addresses, no secrets."""

from __future__ import annotations

from typing import Any

from vardmote.platform.address_plan import AddressPlan
from vardmote.platform.config import PlatformConfig

# Inventory groups by host role; only the Linux hosts are configured by Ansible, the Pexip nodes by API.
ANSIBLE_GROUPS = {"turn": "edge", "portal": "portal", "gateway": "gateway"}
LAB_STAND_IN_GROUPS = {"transcoding": "conferencing_lab", "edge": "edge_lab", "management": "management_lab"}


def ansible_inventory(config: PlatformConfig, plan: AddressPlan, portal: dict[str, Any]) -> dict[str, Any]:
    """A YAML/JSON inventory: `all.children.<group>.hosts.<name>` with `ansible_host` and facts."""
    groups = dict(ANSIBLE_GROUPS)
    if config.hypervisor.kind == "existing":
        # In the lab, open-source stand-ins run where Pexip nodes would: they are Ansible's too.
        groups.update(LAB_STAND_IN_GROUPS)
    children: dict[str, dict[str, Any]] = {}
    for host in plan.hosts:
        group = groups.get(host.role)
        if group is None:
            continue
        facts = {
            "ansible_host": host.address,
            "vardmote_site": host.site,
            "vardmote_role": host.role,
            "vardmote_network": host.network,
            "vardmote_fqdn": f"{host.name}.{config.domain}",
        }
        if host.public_address is not None:
            # Behind the region's static NAT: what coturn announces as its external address.
            facts["vardmote_public_address"] = host.public_address
        children.setdefault(group, {"hosts": {}})["hosts"][host.name] = facts
    if "gateway" in children:
        children["gateway"]["vars"] = {"vardmote_sip_trunk": sip_trunk(config)}
    ssh_user = config.hypervisor.existing.ssh_user if config.hypervisor.existing else "root"
    networks: dict[str, list[str]] = {}
    for network in plan.networks:
        networks.setdefault(network.role, []).append(network.cidr)
    return {
        "all": {
            "vars": {
                "ansible_user": ssh_user,
                "vardmote_environment": config.environment,
                "vardmote_domain": config.domain,
                "vardmote_turn_realm": config.turn.realm,
                "vardmote_turn_tls_port": config.turn.tls_port,
                # The roles' firewalls and relays are drawn from these: SSH from the management
                # networks only, TURN relays to the transcoding networks and no other internal range.
                "vardmote_networks": networks,
                "vardmote_admin_networks": networks.get("management", []),
                "vardmote_dns_servers": [str(server) for server in config.dns_servers],
                "vardmote_ntp_servers": list(config.ntp_servers),
                # The gateway dispatches SIP to these (the transcoding conferencing nodes).
                "vardmote_conferencing_nodes": [host.address for host in plan.of_role("transcoding")],
                "vardmote_portal": portal,
            },
            "children": children,
        }
    }


def sip_trunk(config: PlatformConfig) -> dict[str, Any]:
    """What the gateway needs of the operator's trunk, without its password: the inventory is not a
    secret, so the gateway role reads the password from the vault or the controller's environment
    (VARDMOTE_SIP_TRUNK_PASSWORD)."""
    trunk = config.gateway.sip_trunk
    facts: dict[str, Any] = {
        "name": trunk.name,
        "address": trunk.proxy_address,
        "port": trunk.port,
        "transport": trunk.transport,
        "username": trunk.username,
    }
    if trunk.caller_id is not None:
        facts["caller_id"] = trunk.caller_id
    prefix = config.portal.room_defaults.phone_dial_in_prefix
    if prefix is not None:
        # The rooms' numbers are <prefix><room>: the range the trunk delivers to the region.
        facts["dial_in_prefix"] = prefix
    return facts
