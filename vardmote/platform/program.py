"""The video platform: read the stack's config, lay out addresses, declare every component, export."""

from __future__ import annotations

from dataclasses import replace

import pulumi
from pydantic import ValidationError

from vardmote.core.problems import format_field_path
from vardmote.core.validation import error_messages
from vardmote.platform.address_plan import AddressPlan
from vardmote.platform.components.context import PexipAccess, PlatformContext
from vardmote.platform.components.gateway import Gateway
from vardmote.platform.components.management_node import ManagementNode, installer_config
from vardmote.platform.components.meeting_rooms import MeetingRooms
from vardmote.platform.components.platform_settings import PlatformSettings
from vardmote.platform.components.portal import Portal
from vardmote.platform.components.system_location import SystemLocation
from vardmote.platform.components.turn_relay import TurnRelay
from vardmote.platform.components.video_platform import VideoPlatform
from vardmote.platform.config import CONFIG_NAMESPACE, PLATFORM_KEY, PlatformConfig
from vardmote.platform.hypervisors import backend_for
from vardmote.platform.inventory import ansible_inventory
from vardmote.platform.node_macs import node_mac
from vardmote.platform.pexip.resources import DECLARED, Licence, ManagementApiReady, requested_imports


class ConfigError(pulumi.RunError):
    """The stack's configuration is wrong; each line names the config path to fix. A RunError, so that
    under `pulumi up` the engine shows these lines, not a Python traceback."""


def load_platform_config() -> PlatformConfig:
    """`vardmote:platform` from the stack, validated; ConfigError names each bad config path."""
    raw = pulumi.Config(CONFIG_NAMESPACE).get_object(PLATFORM_KEY)
    key = f"{CONFIG_NAMESPACE}:{PLATFORM_KEY}"
    if raw is None:
        raise ConfigError(f"{key}: missing; this stack has no platform configuration")
    try:
        return PlatformConfig.model_validate(raw)
    except ValidationError as err:
        lines = [
            f"{key}.{format_field_path(loc)}: {message}" if loc else f"{key}: {message}"
            for loc, message in error_messages(err, PlatformConfig)
        ]
        raise ConfigError("\n".join(lines)) from None


def pexip_access(config: PlatformConfig, management: ManagementNode) -> PexipAccess | None:
    """How the providers reach the Management API, once its node is up and licensed. The password is
    not among the inputs: the providers read `vardmote:pexipPassword` from the stack's config."""
    if config.pexip is None:
        return None
    secrets = pulumi.Config(CONFIG_NAMESPACE)
    api = config.pexip
    # Required here, so a stack that lacks it fails before anything is created.
    secrets.require_secret("pexipPassword")
    connection = {
        "url": api.management_url,
        "username": api.username,
        "verify_tls": api.verify_tls,
        "ca_bundle": api.ca_bundle,
    }
    ready = ManagementApiReady(
        "management-api-ready",
        connection,
        node=management.node_id,
        timeout_s=api.api_timeout_s,
        opts=pulumi.ResourceOptions(parent=management),
    )
    licence = Licence(
        "licence",
        connection,
        fields={"offline_mode": False},
        secrets={"entitlement_id": secrets.require_secret("pexipLicenceKey")},
        opts=pulumi.ResourceOptions(parent=management, depends_on=[ready]),
    )
    return PexipAccess(
        connection=connection,
        node_password=secrets.require_secret("nodePassword"),
        turn_shared_secret=secrets.require_secret("turnSharedSecret"),
        ready=(ready, licence),
    )


def build_platform() -> None:
    """The whole program, as `pulumi up` runs it (infra/__main__.py) and as `vardmote preview` does."""
    DECLARED.clear()
    config = load_platform_config()
    # A stack that lacks a secret it needs stops here, before anything is created. The trunk's password
    # is not an input of any resource (the gateway role takes it on the controller), but a deployed
    # platform whose gateway could not authenticate to the operator is not one to bring up.
    secrets = pulumi.Config(CONFIG_NAMESPACE)
    for key in config.required_secrets():
        secrets.require_secret(key)
    plan = config.address_plan()
    root = VideoPlatform(config)
    context = PlatformContext(config=config, plan=plan, backend=backend_for(config, root), pexip=None, root=root)
    management = ManagementNode(context)
    context = replace(context, pexip=pexip_access(config, management))
    settings = PlatformSettings(context) if context.pexip is not None else None
    rooms = MeetingRooms(context, settings) if settings is not None else None
    turn = {site: TurnRelay(context, site) for site in config.turn.sites}
    transcoding = {
        site.name: SystemLocation(
            context,
            site.name,
            "transcoding",
            turn=turn.get(site.name),
            settings=settings,
        )
        for site in config.sites
    }
    names = [site.name for site in config.sites]
    edge = {}
    for index, site in enumerate(config.sites):
        # Overflow to the next site's transcoding nodes, so one datacenter can carry the other's calls.
        overflow = transcoding[names[(index + 1) % len(names)]] if len(names) > 1 else None
        edge[site.name] = SystemLocation(
            context,
            site.name,
            "edge",
            transcoding=transcoding[site.name],
            overflow=overflow,
            turn=turn.get(site.name),
            settings=settings,
        )
    portal = Portal(context)
    Gateway(context)

    pulumi.export("environment", config.environment)
    web_client = portal.settings["web_client_url"]
    pulumi.export("urls", {"management": management.url, "portal": portal.url, "web_client": web_client})
    pulumi.export("nodes", _nodes(plan))
    pulumi.export(
        "locations",
        {loc.location_name: [n.address for n in loc.nodes] for loc in [*transcoding.values(), *edge.values()]},
    )
    pulumi.export("address_plan", [network.__dict__ for network in plan.networks])
    if config.hypervisor.kind != "existing":
        pulumi.export("dhcp_reservations", dhcp_reservations(config, plan))
    pulumi.export("static_nat", static_nat(plan))  # the lab plays the region's firewall from it
    pulumi.export("ansible_inventory", ansible_inventory(config, plan, portal.settings))
    if rooms is not None:
        pulumi.export("room_template", rooms.template)
    unknown = sorted(set(requested_imports()) - DECLARED)
    if unknown:
        lines = [
            f"{CONFIG_NAMESPACE}:import.{name}: this stack declares no Pexip resource of that name" for name in unknown
        ]
        raise ConfigError("\n".join(lines))
    if context.pexip is not None:
        pulumi.export(
            "management_installer_config",
            installer_config(context, secrets.require_secret("pexipPassword"), context.pexip.node_password),
        )


def dhcp_reservations(config: PlatformConfig, plan: AddressPlan) -> list[dict[str, str]]:
    """For the region's DHCP servers: each Conferencing Node VM's fixed MAC and its planned address,
    which its generic VM must have before it takes its bootstrap (node_macs.py)."""
    reservations = []
    for _, name in config.conferencing_node_names():
        host = plan.host(name)
        mac = node_mac(config.hypervisor.kind, config.environment, name)
        reservations.append(
            {"host": name, "mac": mac, "address": host.address, "netmask": host.netmask, "gateway": host.gateway}
        )
    return reservations


def static_nat(plan: AddressPlan) -> list[dict[str, str]]:
    """For the region's firewall: which public address it maps to which DMZ address, both ways."""
    return [
        {"host": h.name, "role": h.role, "site": h.site, "public_address": h.public_address, "address": h.address}
        for h in plan.hosts
        if h.public_address is not None
    ]


def _nodes(plan: AddressPlan) -> list[dict[str, str]]:
    return [
        {"name": h.name, "role": h.role, "site": h.site, "network": h.network, "address": h.address} for h in plan.hosts
    ]
