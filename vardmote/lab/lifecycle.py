"""`up`, `status` and `down`: the whole lab made, shown and removed, each safe to run again."""

from __future__ import annotations

import ipaddress
import json
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vardmote.core.file_writing import write_atomically
from vardmote.core.ports import tcp_port_answers
from vardmote.lab import appliances, call_ends, containers, internet, network
from vardmote.lab.certificates import ensure_host_certificate
from vardmote.lab.hosts import LabHost, hosts_from_outputs, lab_stack
from vardmote.lab.image import ensure_base
from vardmote.lab.layout import CA_PUBLISHED, OWNER_FILE, LabLayout
from vardmote.lab.ssh_access import SSH_USER, ensure_lab_key, host_key_of, wait_for_ssh, write_known_hosts
from vardmote.lab.state import LabState, load_state, save_state
from vardmote.lab.system import LabError, require_root, require_tools
from vardmote.platform.config import PlatformConfig
from vardmote.platform.engine import LabSecretError, lab_secret

Say = Callable[[str], None]
APPLIANCE_ROLES = (appliances.MANAGEMENT_ROLE, *appliances.NODE_ROLES)


def up(layout: LabLayout, project: Path, ssh_timeout_s: float, say: Say) -> LabState:
    """Make (or complete) the lab: image, network, every host booted and answering SSH, and the Pexip
    appliances' own services (the Management API, the nodes' upload pages) answering."""
    require_root("up")
    require_tools()
    outputs, platform = lab_stack(project)
    hosts = hosts_from_outputs(outputs)
    gateways = sorted(
        {f"{host.gateway}/{ipaddress.ip_network(host.network).prefixlen}" for host in hosts},
        key=ipaddress.ip_interface,
    )
    # Everything the stack must say is checked before anything is made.
    resolver = internet.resolver_address(platform, gateways)
    nat = internet.static_nat_of(outputs)
    internet.check_machine_free()
    api_password = _api_password(project) if platform.pexip is not None else None
    _claim_machine(layout)
    layout.lab_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state = load_state(layout.state_file)

    ensure_base(layout, say)
    state.gateways = gateways
    _ensure_network(layout, state, hosts, nat, say)
    names = internet.public_names(platform, nat)
    listen = [resolver, *(outside.router_address for outside in internet.OUTSIDE)]
    if internet.ensure_resolver(layout, listen, names, platform.domain):
        say(f"DNS on {resolver}: {', '.join(f'{name} → {address}' for name, address in sorted(names.items()))}")

    authorized_key = ensure_lab_key(layout)
    host_keys: list[tuple[LabHost, str]] = []
    for host in hosts:
        current = state.host(host.name) or host
        if current not in state.hosts:
            state.hosts.append(current)
        network.ensure_host_link(current)
        root = containers.ensure_overlay(layout, current)
        host_key = host_key_of(root, current)
        containers.seed_files(root, current, authorized_key, host_key, resolver)
        host_keys.append((current, host_key[1]))
        running = containers.nspawn_pid(current.name)
        if running is not None:
            current.pid = running
            say(f"{current.name} ({current.address}) is already running")
        else:
            current.pid = containers.boot(layout, current)
            say(f"{current.name} ({current.address}) booting")
        save_state(layout.state_file, state)  # a killed `up` leaves a state that names what it made

    write_known_hosts(layout, host_keys)
    certificates = _write_inventory(layout, outputs, state)
    _ensure_appliances(layout, state.hosts, platform, certificates, api_password=api_password, say=say)
    silent = wait_for_ssh(layout, state.hosts, ssh_timeout_s, lambda host: say(f"{host.name} answers SSH"))
    if silent:
        details = "; ".join(f"{name}: {why}" for name, why in sorted(silent.items()))
        raise LabError(
            f"no SSH answer within {ssh_timeout_s:.0f} s from {details} "
            f"(console logs: {layout.lab_dir / 'hosts'}/<host>/console.log)"
        )
    return state


def _ensure_appliances(
    layout: LabLayout,
    hosts: list[LabHost],
    platform: PlatformConfig,
    certificates: dict[str, dict[str, str]],
    *,
    api_password: str | None,
    say: Say,
) -> None:
    """What the lab plays on or beside its hosts: the Pexip appliances' own services, and the far ends
    of phone calls (the operator's trunk, the rooms' SIP side)."""
    planned: list[appliances.Appliance] = []
    if platform.pexip is not None and api_password is not None:
        appliances.publish_ca(layout.ca_dir / "ca.pem")
        planned += appliances.planned(hosts, platform.pexip, certificates, api_password)
    trunk_password = _lab_secrets(layout.inventory_dir / LAB_SECRETS_FILE)[TRUNK_PASSWORD_VAR]
    planned += call_ends.planned(layout, hosts, platform, certificates, trunk_password)
    for appliance in planned:
        started = appliances.ensure(layout, appliance)
        where = f"{appliance.host.address}:{appliance.port}"
        say(f"{appliance.host.name}: {appliance.name} {'started' if started else 'is already running'} on {where}")


def _ensure_network(
    layout: LabLayout, state: LabState, hosts: list[LabHost], nat: list[internet.StaticNat], say: Say
) -> None:
    """The bridge, NAT out, and the lab's internet: the home, the operator and the region's static NAT."""
    network.ensure_bridge(state.gateways)
    home_policy = internet.home_policy() or internet.DEFAULT_HOME_POLICY  # a second `up` keeps the choice
    forward_before = network.ensure_nat(sorted({host.network for host in hosts}), internet.nft_chains(nat))
    if state.ip_forward_before is None:
        state.ip_forward_before = forward_before  # only the first `up` saw the machine's own value
    save_state(layout.state_file, state)
    for outside in internet.OUTSIDE:
        internet.ensure_outside_host(outside)
    internet.set_home_policy(home_policy)
    say(f"home ({internet.HOME.address}, behind {internet.HOME.public}): {internet.HOME_POLICIES[home_policy]}")


def _api_password(project: Path) -> str:
    """The password the lab stack's providers will use, so the stand-in asks for the same."""
    try:
        return lab_secret("vardmote:pexipPassword", project)
    except LabSecretError as err:
        raise LabError(str(err)) from None


def _other_lab_up(layout: LabLayout) -> str | None:
    """The folder of the lab that is up on this machine, when it is not `layout`'s (None otherwise)."""
    owner = OWNER_FILE.read_text(encoding="utf-8").strip() if OWNER_FILE.exists() else None
    if owner and owner != str(layout.lab_dir) and (network.network_present() or containers.lab_cgroup_hosts()):
        return owner
    return None


def _claim_machine(layout: LabLayout) -> None:
    """One lab per machine: refuse to build over a lab that another lab folder made."""
    owner = _other_lab_up(layout)
    if owner:
        raise LabError(
            f"the lab of {owner} is up on this machine; remove it first (VARDMOTE_LAB_DIR={owner} vardmote lab down)"
        )
    OWNER_FILE.write_text(f"{layout.lab_dir}\n", encoding="utf-8")


def _write_inventory(layout: LabLayout, outputs: dict[str, Any], state: LabState) -> dict[str, dict[str, str]]:
    """The stack's exported inventory as it is, beside the lab's connection and certificate variables;
    returns each host's certificate variables."""
    folder = layout.inventory_dir
    folder.mkdir(parents=True, exist_ok=True)
    # Keys sorted, as `pulumi stack output` gives them: the inventory of the deployed stack, which
    # `deploy` takes once there is one, then renders every template the same.
    inventory = json.dumps(outputs["ansible_inventory"], indent=2, sort_keys=True)
    (folder / "10-stack.json").write_text(inventory, encoding="utf-8")
    domain = outputs["ansible_inventory"]["all"]["vars"]["vardmote_domain"]
    public_names = _public_names(outputs)
    certificates = {
        host.name: ensure_host_certificate(
            layout.ca_dir, host.name, host.address, [f"{host.name}.{domain}", *public_names.get(host.role, [])]
        )
        for host in state.hosts
    }
    lab_vars = {
        "all": {
            "vars": {
                "ansible_user": SSH_USER,
                "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_ssh_private_key_file": str(layout.private_key),
                "ansible_ssh_common_args": (
                    f"-o UserKnownHostsFile={layout.known_hosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"
                ),
                # The controller reaches each subnet from the bridge's address in it: SSH is let in
                # from those, and from no lab host.
                "baseline_admin_sources": [gateway.split("/")[0] for gateway in state.gateways],
                # Where verify's browser and phone calls start: outside the region (internet.py).
                "vardmote_lab_outside": {
                    outside.name: {"netns": outside.netns, "address": outside.address, "public": outside.public}
                    for outside in internet.OUTSIDE
                },
            },
            # Each host's certificate, and its namespace, where verify places its calls from.
            "hosts": {
                name: {**files, "vardmote_lab_netns": _netns_of(state, name)} for name, files in certificates.items()
            },
        }
    }
    (folder / "20-lab.yml").write_text(yaml.safe_dump(lab_vars, sort_keys=False), encoding="utf-8")
    _ensure_lab_secrets(folder / LAB_SECRETS_FILE)
    return certificates


LAB_SECRETS_FILE = "30-secrets.yml"
TRUNK_PASSWORD_VAR = "gateway_sip_trunk_password"
# The secrets the roles need, each made once per lab: the TURN relays' REST secret, and the SIP trunk's
# digest password, which the gateway answers the operator's challenge with (call_ends.py plays the
# operator with the same one).
LAB_SECRETS = ("edge_turn_shared_secret", TRUNK_PASSWORD_VAR)


def _netns_of(state: LabState, name: str) -> str:
    host = state.host(name)
    assert host is not None  # certificates are made for the state's hosts
    return host.netns


def _ensure_lab_secrets(path: Path) -> None:
    """Secrets the roles need, made once per lab (one missing from an older lab's file is added) and
    readable by root only. Production keeps them in the vault or the controller's environment instead."""
    known = _lab_secrets(path) if path.exists() else {}
    if all(name in known for name in LAB_SECRETS):
        return
    made = {**{name: secrets.token_urlsafe(32) for name in LAB_SECRETS}, **known}
    write_atomically(path, yaml.safe_dump({"all": {"vars": made}}).encode(), 0o600)


def _lab_secrets(path: Path) -> dict[str, str]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["all"]["vars"])


def _public_names(outputs: dict[str, Any]) -> dict[str, list[str]]:
    """Names clients use, by host role: the TLS certificates must carry them."""
    inventory_vars = outputs["ansible_inventory"]["all"]["vars"]
    portal_name = inventory_vars["vardmote_portal"]["public_name"]
    return {"turn": [inventory_vars["vardmote_turn_realm"], portal_name], "portal": [portal_name]}


@dataclass
class HostStatus:
    name: str
    role: str
    address: str
    running: bool
    ssh_port_open: bool
    serves: bool | None = None  # the Pexip appliance's service it plays, where it plays one


def status(layout: LabLayout) -> tuple[list[HostStatus], list[str]]:
    """Each host's state, and what of the lab's network exists on this machine."""
    require_root("status")
    state = load_state(layout.state_file)
    hosts = []
    for host in state.hosts:
        running = containers.nspawn_pid(host.name) is not None
        # Only a running host's sshd counts: with the lab's network gone, whatever answers that address
        # (a proxy of the machine's own network, say) is not the host.
        ssh = running and tcp_port_answers(host.address, 22)
        appliance = bool(appliances.running(host.name)) if host.role in APPLIANCE_ROLES else None
        hosts.append(HostStatus(host.name, host.role, host.address, running, ssh, appliance))
    return hosts, network.network_present()


def down(layout: LabLayout, say: Say) -> list[str]:
    """Stop and remove every host, mount, namespace, link, nft table and cgroup; return what is left
    (nothing, unless removing something failed)."""
    require_root("down")
    # The hosts, bridge and namespaces have fixed names: `down` from another lab folder would stop the
    # lab that is up and leave its folder and mounts behind.
    owner = _other_lab_up(layout)
    if owner:
        raise LabError(
            f"the lab that is up is the one of {owner}, not of {layout.lab_dir}; nothing was removed "
            f"(VARDMOTE_LAB_DIR={owner} vardmote lab down removes it)"
        )
    state = load_state(layout.state_file)
    names = {host.name for host in state.hosts} | containers.lab_cgroup_hosts()
    hosts_dir = layout.lab_dir / "hosts"
    if hosts_dir.is_dir():
        names |= {child.name for child in hosts_dir.iterdir()}
    for name in sorted(names):
        containers.stop(name)
        containers.remove_host_files(layout, name)
        say(f"{name} stopped and removed")
    containers.remove_cgroups()
    network.remove_network(state.ip_forward_before)
    internet.remove_netns_config()
    shutil.rmtree(layout.lab_dir, ignore_errors=True)
    OWNER_FILE.unlink(missing_ok=True)
    CA_PUBLISHED.unlink(missing_ok=True)
    return leftovers(layout)


def leftovers(layout: LabLayout) -> list[str]:
    """Anything of a lab on this machine: used by `down` to prove it left nothing behind."""
    left = network.network_present()
    left += [f"mount {path}" for path in containers.lab_mounts(layout)]
    left += [f"cgroup of {name}" for name in sorted(containers.lab_cgroup_hosts())]
    left += internet.leftover_config()
    if layout.lab_dir.exists():
        left.append(f"folder {layout.lab_dir}")
    left += [f"file {path}" for path in (OWNER_FILE, CA_PUBLISHED) if path.exists()]
    return left
