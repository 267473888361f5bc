"""The platform's stack configuration: one structured key, `vardmote:platform`, validated by one model.

Secrets are never part of this object: they are separate `secure:` keys (SECRET_KEYS) so that Pulumi
encrypts them in the stack file and in state.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import netaddr
from pydantic import AfterValidator, Field, model_validator

from vardmote.core.validation import FieldError, StrictModel
from vardmote.platform.address_plan import (
    NETWORK_ROLES,
    PUBLIC_ROLES,
    AddressPlan,
    NetworkRole,
    SiteLayout,
    host_name,
    plan_addresses,
)
from vardmote.platform.names import resource_name
from vardmote.platform.node_macs import node_mac

CONFIG_NAMESPACE = "vardmote"
PLATFORM_KEY = "platform"

# Each is a `pulumi config set --secret vardmote:<key>` of its own; the model only says which are needed
# (PlatformConfig.required_secrets).
SECRET_KEYS = {
    "pexipPassword": "Pexip Management API password (HTTP Basic over TLS)",
    "nodePassword": "password of the Conferencing Nodes' admin account",
    "turnSharedSecret": "TURN REST API shared secret, known to coturn and to Pexip's turn_server",
    "pexipLicenceKey": "the Pexip licence's entitlement key, activated on the Management Node",
    "sipTrunkPassword": "the operator's SIP trunk password (digest authentication), for the gateway's Kamailio",
}
# Needed where the stack configures Pexip through its API (`pexip:` is set).
PEXIP_SECRET_KEYS = ("pexipPassword", "nodePassword", "turnSharedSecret", "pexipLicenceKey")
# Needed where the gateway dials the operator's real trunk: every stack deployed on a hypervisor. The
# lab's hosts exist already and its trunk is a stand-in that makes its own credential.
SIP_TRUNK_SECRET_KEY = "sipTrunkPassword"

# Pexip Infinity sizing bounds (Pexip's server design guidelines): 2–128 vCPU, about 1 GB RAM per vCPU,
# vm_system_memory 2000–64000 MB; the Management Node needs at least 4 vCPU and 4 GB.
NODE_MIN_VCPU, NODE_MAX_VCPU = 2, 128
NODE_MIN_MEMORY_MB, NODE_MAX_MEMORY_MB = 2000, 64000
MANAGEMENT_MIN_VCPU, MANAGEMENT_MIN_MEMORY_MB = 4, 4096
# The Management API's limits on what the program derives from this config (management_api.yaml, which
# the providers check every object against; a test keeps these equal to it). Kept here as numbers so
# that validating a stack does not read the whole API schema.
API_MAX_LENGTH = {
    ("gateway_routing_rule", "name"): 250,
    ("gateway_routing_rule", "match_string"): 250,
    ("gateway_routing_rule", "replace_string"): 250,
    ("worker_vm", "name"): 32,
    ("worker_vm", "domain"): 192,
    ("identity_provider", "name"): 250,
}


def _cidr(value: str) -> str:
    try:
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"not a CIDR network: {value!r}") from None
    if str(network.cidr) != value:
        raise ValueError(f"{value!r} has host bits set; did you mean {network.cidr}?")
    # Pexip's node address, netmask and gateway are IPv4 (IPv6 has fields of its own); and no host
    # can live on a loopback, link-local, multicast or reserved range.
    if network.version != 4:
        raise ValueError(f"{value} is IPv6: the platform's networks are IPv4 (Pexip's address and netmask)")
    for special, what in _SPECIAL_RANGES:
        if network in special or special in network:
            raise ValueError(f"{value} is in {special} ({what}): no host can have an address there")
    return value


_SPECIAL_RANGES = [
    (netaddr.IPNetwork("0.0.0.0/8"), "'this network'"),
    (netaddr.IPNetwork("127.0.0.0/8"), "loopback"),
    (netaddr.IPNetwork("169.254.0.0/16"), "link-local"),
    (netaddr.IPNetwork("224.0.0.0/4"), "multicast"),
    (netaddr.IPNetwork("240.0.0.0/4"), "reserved"),
]


def _ip(value: str) -> str:
    try:
        netaddr.IPAddress(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError(f"not an IP address: {value!r}") from None
    return value


def _phone_number(value: str) -> str:
    if not re.fullmatch(r"\+\d{6,15}", value):
        raise ValueError(
            "a phone number as +E.164: '+', the country code, the number without its leading 0, no spaces "
            f"(060-12 34 56 is +4660123456), got {value!r}"
        )
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
IpAddress = Annotated[str, AfterValidator(_ip)]
PhoneNumber = Annotated[str, AfterValidator(_phone_number)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$", description="Lower-case name, ≤ 31 characters")]
DnsName = Annotated[str, Field(pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")]


class Network(StrictModel):
    cidr: Cidr
    port_group: str = Field(min_length=1, description="vSphere port group / Proxmox bridge of this network")
    gateway: IpAddress | None = Field(default=None, description="Default: the first address of the network")
    reserved: int = Field(default=9, ge=1, le=250, description="Addresses after the network address kept for infra")


class SiteNetworks(StrictModel):
    management: Network
    transcoding: Network
    dmz: Network
    services: Network


class NodeSize(StrictModel):
    vcpu: int = Field(default=4)
    memory_mb: int = Field(default=4096)

    @model_validator(mode="after")
    def _within_pexip_bounds(self) -> NodeSize:
        if not NODE_MIN_VCPU <= self.vcpu <= NODE_MAX_VCPU:
            raise FieldError(("vcpu",), f"must be {NODE_MIN_VCPU}–{NODE_MAX_VCPU} (Pexip), got {self.vcpu}")
        if not NODE_MIN_MEMORY_MB <= self.memory_mb <= NODE_MAX_MEMORY_MB:
            raise FieldError(
                ("memory_mb",),
                f"must be {NODE_MIN_MEMORY_MB}–{NODE_MAX_MEMORY_MB} MB (Pexip vm_system_memory), got {self.memory_mb}",
            )
        if self.memory_mb < self.vcpu * 1000:
            raise FieldError(
                ("memory_mb",), f"Pexip needs about 1 GB per vCPU: {self.vcpu} vCPU need ≥ {self.vcpu * 1000} MB"
            )
        return self


class NodePool(NodeSize):
    count: int = Field(ge=0, le=64)


class PublicAddresses(StrictModel):
    """A site's public side: the static NAT address at which the internet reaches each host of its DMZ
    that faces it. The region's firewall maps each one to the host's DMZ address (address plan)."""

    # Tuples, as a site is hashable (the hypervisor back ends cache what they look up per site).
    edge_nodes: tuple[IpAddress, ...] = Field(
        default=(),
        description="One per edge node, in order (<site>-edge-01 first): Pexip's static_nat_address",
    )
    turn_relays: tuple[IpAddress, ...] = Field(
        default=(), description="One for the site's TURN relay, if turn.sites has it: coturn's external-ip"
    )


class Site(StrictModel):
    """One datacenter of the region with its four networks, its conferencing nodes and its public side."""

    name: Name
    datacenter: str = Field(min_length=1, description="vSphere datacenter or Proxmox cluster name")
    cluster: str = Field(min_length=1, description="vSphere compute cluster or Proxmox node")
    datastore: str = Field(min_length=1)
    networks: SiteNetworks
    transcoding_nodes: NodePool
    edge_nodes: NodePool
    public: PublicAddresses | None = Field(
        default=None, description="Required where the stack is deployed and the site has edge nodes or TURN"
    )


class ManagementNodeConfig(StrictModel):
    site: Name
    vcpu: int = 4
    memory_mb: int = 8192
    disk_gb: int = Field(default=100, ge=100, description="Pexip: at least 100 GB")

    @model_validator(mode="after")
    def _management_minimum(self) -> ManagementNodeConfig:
        if self.vcpu < MANAGEMENT_MIN_VCPU:
            raise FieldError(("vcpu",), f"the Management Node needs at least {MANAGEMENT_MIN_VCPU}, got {self.vcpu}")
        if self.memory_mb < MANAGEMENT_MIN_MEMORY_MB:
            raise FieldError(
                ("memory_mb",),
                f"the Management Node needs at least {MANAGEMENT_MIN_MEMORY_MB} MB, got {self.memory_mb}",
            )
        return self


class ServiceHost(StrictModel):
    """A Linux host of the platform (portal, gateway, TURN) on a site's services or DMZ network."""

    site: Name
    vcpu: int = Field(default=2, ge=1, le=64)
    memory_mb: int = Field(default=4096, ge=1024)
    disk_gb: int = Field(default=40, ge=20)


class SecuritySettings(StrictModel):
    """Pexip `global` security settings (configuration API resource `global`, a singleton)."""

    crypto_mode: Literal["on", "besteffort", "off"] = "on"
    enable_h323: bool = False
    enable_sip_udp: bool = False
    min_pin_length: int = Field(default=6, ge=4, le=20)
    enable_analytics: bool = False
    error_reporting_enabled: bool = False
    logs_max_age: int = Field(default=30, ge=1, le=3650, description="Days the platform keeps its logs")
    waiting_for_chair_timeout: int = Field(default=900, ge=0)
    bdpm_pin_checks_enabled: bool = True


class PexipApi(StrictModel):
    management_url: Annotated[str, Field(pattern=r"^https://[^\s/]+/?$")]
    username: str = Field(min_length=1)
    verify_tls: bool = True
    ca_bundle: str | None = Field(default=None, description="PEM file of the CA that signed the Management Node")
    api_timeout_s: int = Field(
        default=1800, ge=10, description="How long a new Management Node may take until its API answers"
    )
    bootstrap_timeout_s: int = Field(
        default=1800, ge=10, description="How long a new node may take to boot, take its configuration and sync"
    )
    bootstrap_poll_interval_s: int = Field(default=15, ge=1)
    node_bootstrap_port: int = Field(
        default=8443, ge=1, le=65535, description="The port of a new node's configuration upload page"
    )
    node_bootstrap_path: str = Field(default="/", pattern=r"^/\S*$")


class IdentityProvider(StrictModel):
    """A SAML or OIDC broker through which participants identify (BankID for citizens, SITHS for staff)."""

    name: str = Field(min_length=1)
    kind: Literal["saml", "oidc"]
    method: Literal["bankid", "siths"]
    level_of_assurance: Literal[2, 3, 4] = Field(description="eIDAS/Tillitsramverket LoA; 3 = substantial")
    issuer_url: Annotated[str, Field(pattern=r"^https://\S+$")]
    client_id: str = Field(min_length=1)


class RoutingRule(StrictModel):
    """A Pexip call routing rule: how a PC or phone participant's call reaches a room."""

    name: str = Field(min_length=1)
    priority: int = Field(ge=1, le=200)
    match_string: str = Field(min_length=1, description="Regular expression on the dialled alias")
    replace_string: str = ""
    # The API's own values (management_api.yaml, gateway_routing_rule.outgoing_protocol), less those
    # the region has no use for (rtmp streaming, Google Meet); WebRTC is a way in, never a way out.
    outgoing_protocol: Literal["sip", "h323", "mssip", "teams"] = "sip"
    call_type: Literal["video", "audio", "video-only"] = "video"
    participants: Literal["pc", "phone"]

    @model_validator(mode="after")
    def _an_expression_that_compiles(self) -> RoutingRule:
        try:
            pattern = re.compile(self.match_string)
        except re.error as err:
            raise FieldError(("match_string",), f"not a regular expression: {err}") from None
        for reference in re.findall(r"\\(\d+)", self.replace_string):
            if int(reference) > pattern.groups:
                raise FieldError(
                    ("replace_string",),
                    f"refers to group {reference}, but match_string has {pattern.groups} group(s)",
                )
        for key in ("name", "match_string", "replace_string"):
            limit = API_MAX_LENGTH["gateway_routing_rule", key]
            if len(getattr(self, key)) > limit:
                raise FieldError((key,), f"longer than the API's {limit} characters")
        return self


class SipTrunk(StrictModel):
    """The operator's SIP trunk, through which phones dial in to the rooms and rooms dial out to phones.
    Its password is never here: it is the stack secret `vardmote:sipTrunkPassword`."""

    name: str = Field(min_length=1)
    proxy_address: DnsName = Field(description="The operator's SIP proxy: a name, which its TLS certificate carries")
    port: int = Field(default=5061, ge=1, le=65535)
    transport: Literal["tls", "tcp"] = Field(default="tls", description="tls; tcp only in the lab")
    username: str = Field(min_length=1, description="The digest username the operator gave the region")
    caller_id: PhoneNumber | None = Field(
        default=None,
        description="The number a call out through the trunk presents (From and P-Asserted-Identity), "
        "+E.164: one of the region's own, as operators accept no other; unset, the node's From passes as it is",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_password_here(cls, data: object) -> object:
        if isinstance(data, dict) and "password" in data:
            raise FieldError(
                ("password",),
                f"never in plain YAML: the trunk's password is the stack secret {CONFIG_NAMESPACE}:"
                f"{SIP_TRUNK_SECRET_KEY} (`pulumi config set --secret {CONFIG_NAMESPACE}:{SIP_TRUNK_SECRET_KEY}`)",
            )
        return data


class GatewayConfig(StrictModel):
    host: ServiceHost
    sip_trunk: SipTrunk
    routing_rules: list[RoutingRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _rules_told_apart(self) -> GatewayConfig:
        """Each rule becomes the resource named after it, and Pexip tries rules in priority order:
        two rules with one resource name, or one priority, would be one object or no order."""
        seen: dict[str, int] = {}
        priorities: dict[int, int] = {}
        for index, rule in enumerate(self.routing_rules):
            name = resource_name("rule", rule.name)
            if name in seen:
                first = self.routing_rules[seen[name]].name
                raise FieldError(
                    ("routing_rules", index, "name"),
                    f"{rule.name!r} names the same resource as routing_rules[{seen[name]}] ({first!r})",
                )
            if rule.priority in priorities:
                raise FieldError(
                    ("routing_rules", index, "priority"),
                    f"{rule.priority} is already the priority of routing_rules[{priorities[rule.priority]}]",
                )
            seen[name], priorities[rule.priority] = index, index
        return self


class RoomDefaults(StrictModel):
    """Defaults for the virtual meeting rooms the portal books (routine 3.3, 4.2.3)."""

    allow_guests: bool = True
    guest_pin_required: bool = True
    guests_wait_for_host: bool = Field(default=True, description="Waiting room: the organiser admits guests")
    guest_identity_provider: str | None = Field(default=None, description="Name of an identity provider")
    host_identity_provider: str | None = Field(
        default=None, description="Name of the identity provider staff sign in with to host (SITHS)"
    )
    phone_dial_in_prefix: Annotated[str, Field(pattern=r"^\+\d{4,12}$")] | None = Field(
        default=None,
        description="E.164 number range of the rooms: each booked room gets <prefix><room number> as an alias",
    )
    participant_limit: int = Field(default=10, ge=2, le=100)
    enable_chat: bool = False
    guests_can_present: bool = False


class PortalConfig(StrictModel):
    host: ServiceHost
    public_name: DnsName = Field(description="Where staff book rooms, e.g. videoportal.rvn.example")
    sender_hsa_id: Annotated[str, Field(pattern=r"^SE\d{10}-[A-Za-z0-9]+$", description="HSA-id sending to 1177")]
    message_service_url: Annotated[str, Field(pattern=r"^https://\S+$")] = Field(
        description="1177 AddMessage service endpoint"
    )
    room_defaults: RoomDefaults = RoomDefaults()


class TurnConfig(StrictModel):
    sites: list[Name] = Field(min_length=1, description="Sites that get a TURN relay on their DMZ network")
    realm: DnsName
    # 443 shares the edge's HTTPS port (the edge role tells the two apart by the TLS hello); 5349 is
    # coturn's own. No other port: the edge listens on these two only.
    tls_port: Literal[443, 5349] = Field(
        default=443,
        description="TURN over TLS on TCP: 443, often the only port a home or mobile network lets out",
    )
    vcpu: int = Field(default=2, ge=1)
    memory_mb: int = Field(default=2048, ge=1024)


class StateBackend(StrictModel):
    """Where Pulumi keeps this stack's state: on the region's own storage, never a SaaS backend."""

    url: Annotated[str, Field(pattern=r"^(file://|s3://|azblob://|gs://|https://)\S+$")]
    secrets_provider: Annotated[str, Field(pattern=r"^(passphrase|awskms://|azurekeyvault://|gcpkms://|hashivault://)")]


class VsphereSettings(StrictModel):
    pexip_ovf_url: Annotated[str, Field(pattern=r"^https://\S+\.ova$")] = Field(
        description="Pexip Infinity Conferencing Node OVA on the region's own web server"
    )
    pexip_management_ovf_url: Annotated[str, Field(pattern=r"^https://\S+\.ova$")] = Field(
        description="Pexip Infinity Management Node OVA on the region's own web server"
    )
    ovf_hosts: dict[Name, str] = Field(
        description="Per site, the ESXi host vCenter reads the OVAs on (their SCSI controller, firmware, guest OS)"
    )
    linux_template: str = Field(min_length=1, description="VM template for portal, gateway and TURN hosts")
    folder: str = Field(default="vardmote", min_length=1)


class ProxmoxSettings(StrictModel):
    pexip_template_vm_id: int = Field(ge=100, description="Template of Pexip's Conferencing Node appliance")
    pexip_management_template_vm_id: int = Field(ge=100, description="Template of Pexip's Management Node")
    linux_template_vm_id: int = Field(ge=100)
    nodes: dict[Name, list[Annotated[str, Field(min_length=1)]]] = Field(
        description="Per site, the Proxmox VE nodes its VMs are spread over (one node's failure takes one of each)"
    )


class ExistingSettings(StrictModel):
    """Hosts that already run at the address plan's addresses (the lab): registered, nothing created."""

    ssh_user: str = Field(default="root", min_length=1)


class Hypervisor(StrictModel):
    kind: Literal["vsphere", "proxmox", "existing"]
    vsphere: VsphereSettings | None = None
    proxmox: ProxmoxSettings | None = None
    existing: ExistingSettings | None = None

    @model_validator(mode="after")
    def _settings_for_kind(self) -> Hypervisor:
        settings = {"vsphere": self.vsphere, "proxmox": self.proxmox, "existing": self.existing}
        if settings[self.kind] is None:
            raise FieldError((self.kind,), f"required when kind is {self.kind}")
        return self


class PlatformConfig(StrictModel):
    """Everything `vardmote:platform` holds for one stack."""

    environment: Literal["lab", "test", "prod"]
    domain: DnsName
    state_backend: StateBackend
    hypervisor: Hypervisor
    allowed_locations: list[Name] = Field(
        min_length=1, description="Sites on the region's own premises where nodes may run (routine 4.2.2)"
    )
    sites: list[Site] = Field(min_length=1)
    dns_servers: list[IpAddress] = Field(min_length=1, description="The region's resolvers, for every node")
    ntp_servers: list[str] = Field(min_length=1, description="The region's time servers, for every node")
    syslog_servers: list[str] = Field(
        default_factory=list, description="Where nodes send their logs (access logging, HSLF-FS 2016:40)"
    )
    management_node: ManagementNodeConfig
    pexip: PexipApi | None = Field(default=None, description="Omit where no Management API exists (the lab)")
    security: SecuritySettings = SecuritySettings()
    identity_providers: list[IdentityProvider] = Field(default_factory=list)
    portal: PortalConfig
    gateway: GatewayConfig
    turn: TurnConfig

    @model_validator(mode="after")
    def _references_resolve(self) -> PlatformConfig:
        names = [site.name for site in self.sites]
        for index, name in enumerate(names):
            if names.index(name) != index:
                raise FieldError(("sites", index, "name"), f"{name!r} is already used by sites[{names.index(name)}]")
            if name not in self.allowed_locations:
                raise FieldError(("sites", index, "name"), f"{name!r} is not in allowed_locations")
        references: list[tuple[tuple[str | int, ...], str]] = [
            (("management_node", "site"), self.management_node.site),
            (("portal", "host", "site"), self.portal.host.site),
            (("gateway", "host", "site"), self.gateway.host.site),
        ]
        references += [(("turn", "sites", i), site) for i, site in enumerate(self.turn.sites)]
        for loc, site in references:
            if site not in names:
                raise FieldError(loc, f"no site {site!r}; sites: {', '.join(names)}")
        idp_names = {idp.name for idp in self.identity_providers}
        defaults = self.portal.room_defaults
        for key, idp_name in (
            ("guest_identity_provider", defaults.guest_identity_provider),
            ("host_identity_provider", defaults.host_identity_provider),
        ):
            if idp_name is not None and idp_name not in idp_names:
                raise FieldError(("portal", "room_defaults", key), f"no identity provider {idp_name!r}")
        if self.pexip is None and self.hypervisor.kind != "existing":
            raise FieldError(
                ("pexip",),
                f"required where the platform's nodes are deployed ({self.hypervisor.kind}): the Management "
                "API is what makes them Pexip nodes; only a stack of existing hosts (the lab) may go without",
            )
        self._trunk_encrypted()
        self._public_side_given()
        self.address_plan()  # overlapping networks, networks too small, unreachable public addresses
        self._every_site_placed()
        self._fits_the_api()
        self._carries_calls()
        self._one_resource_each()
        self._node_macs_distinct()
        return self

    def required_secrets(self) -> list[str]:
        """The `vardmote:` secrets this stack cannot go up without (see SECRET_KEYS)."""
        needed = list(PEXIP_SECRET_KEYS) if self.pexip is not None else []
        if self.hypervisor.kind != "existing":
            needed.append(SIP_TRUNK_SECRET_KEY)
        return needed

    def _trunk_encrypted(self) -> None:
        """Calls from phones cross the operator's network, an open one: encrypted outside the lab."""
        trunk = self.gateway.sip_trunk
        if trunk.transport != "tls" and self.environment != "lab":
            raise FieldError(
                ("gateway", "sip_trunk", "transport"),
                f"must be tls in a {self.environment} stack: over {trunk.transport} the trunk's digest "
                "authentication, the callers' numbers and the SRTP keys in the SDP would cross the operator's "
                "network in clear (HSLF-FS 2016:40: encryption on open networks)",
            )

    def _public_side_given(self) -> None:
        """A deployed site's edge nodes and TURN relay face the internet: it must say where (the lab's
        hosts sit on one machine and need none, so there it may be left out)."""
        if self.hypervisor.kind == "existing":
            return
        for index, site in enumerate(self.sites):
            facing = []
            if site.edge_nodes.count:
                facing.append(f"{site.edge_nodes.count} edge node{'' if site.edge_nodes.count == 1 else 's'}")
            if site.name in self.turn.sites:
                facing.append("a TURN relay")
            if facing and site.public is None:
                raise FieldError(
                    ("sites", index, "public"),
                    f"required where the platform is deployed ({self.hypervisor.kind}): {site.name} has "
                    f"{' and '.join(facing)}, which the internet reaches at their static NAT addresses",
                )

    def conferencing_node_names(self) -> list[tuple[int, str]]:
        """(site index, host name) of every Conferencing Node (transcoding and edge) the stack plans."""
        return [
            (index, host_name(site.name, role, number))
            for index, site in enumerate(self.sites)
            for role, pool in (("transcoding", site.transcoding_nodes), ("edge", site.edge_nodes))
            for number in range(1, pool.count + 1)
        ]

    def _node_macs_distinct(self) -> None:
        """Two nodes whose fixed MACs (node_macs.py) collide would share one DHCP reservation."""
        if self.hypervisor.kind == "existing":
            return
        seen: dict[str, str] = {}
        for index, name in self.conferencing_node_names():
            mac = node_mac(self.hypervisor.kind, self.environment, name)
            if mac in seen:
                raise FieldError(
                    ("sites", index, "name"),
                    f"the nodes {seen[mac]} and {name} would get the same MAC {mac}: rename the site",
                )
            seen[mac] = name

    def _every_site_placed(self) -> None:
        """The hypervisor settings name where each site's VMs go, and only the stack's sites."""
        hypervisor = self.hypervisor
        placements: dict[str, object] = {}
        key = ""
        if hypervisor.vsphere is not None:
            placements, key = dict(hypervisor.vsphere.ovf_hosts), "ovf_hosts"
        elif hypervisor.proxmox is not None:
            placements, key = dict(hypervisor.proxmox.nodes), "nodes"
        if not key:
            return
        names = [site.name for site in self.sites]
        for name in placements:
            if name not in names:
                raise FieldError(
                    ("hypervisor", hypervisor.kind, key, name), f"no site {name!r}; sites: {', '.join(names)}"
                )
        for name in names:
            if not placements.get(name):
                raise FieldError(("hypervisor", hypervisor.kind, key), f"says nothing of site {name!r}")

    def _fits_the_api(self) -> None:
        """Names the program derives from this config stay within the Management API's limits."""
        name_limit, domain_limit = API_MAX_LENGTH["worker_vm", "name"], API_MAX_LENGTH["worker_vm", "domain"]
        if len(self.domain) > domain_limit:
            raise FieldError(("domain",), f"longer than the API's {domain_limit} characters for a node's domain")
        for index, site in enumerate(self.sites):
            for role, pool in (("transcoding", site.transcoding_nodes), ("edge", site.edge_nodes)):
                longest = host_name(site.name, role, max(pool.count, 1))
                if len(longest) > name_limit:
                    raise FieldError(
                        ("sites", index, "name"),
                        f"node names such as {longest!r} would be longer than the API's {name_limit} characters",
                    )
        idp_limit = API_MAX_LENGTH["identity_provider", "name"]
        for index, idp in enumerate(self.identity_providers):
            if len(idp.name) > idp_limit:
                raise FieldError(("identity_providers", index, "name"), f"longer than the API's {idp_limit} characters")

    def _carries_calls(self) -> None:
        """Edge nodes only proxy: each site's edge nodes need transcoding nodes at their own site or at
        the site they overflow to (the next one in `sites`)."""
        if not any(site.transcoding_nodes.count for site in self.sites):
            raise FieldError(("sites",), "no site has transcoding nodes: no call could be carried")
        for index, site in enumerate(self.sites):
            overflow = self.sites[(index + 1) % len(self.sites)]
            if site.edge_nodes.count and not (site.transcoding_nodes.count or overflow.transcoding_nodes.count):
                raise FieldError(
                    ("sites", index, "edge_nodes", "count"),
                    f"{site.name} has edge nodes but neither it nor {overflow.name} has transcoding nodes "
                    "to carry their calls",
                )

    def _one_resource_each(self) -> None:
        """Servers and identity providers are resources named after what identifies them: a repeat
        would be two declarations of one resource."""
        for key, values in (
            ("dns_servers", self.dns_servers),
            ("ntp_servers", self.ntp_servers),
            ("syslog_servers", self.syslog_servers),
        ):
            for index, value in enumerate(values):
                if values.index(value) != index:
                    raise FieldError((key, index), f"{value} is already {key}[{values.index(value)}]")
        names: dict[str, int] = {}
        for index, idp in enumerate(self.identity_providers):
            name = resource_name("idp", idp.name)
            if name in names:
                raise FieldError(
                    ("identity_providers", index, "name"),
                    f"{idp.name!r} names the same resource as identity_providers[{names[name]}]",
                )
            names[name] = index

    def address_plan(self) -> AddressPlan:
        """Which host gets which address: the same on every run (see address_plan)."""
        return plan_addresses(
            [
                SiteLayout(
                    site.name,
                    {role: getattr(site.networks, role) for role in NETWORK_ROLES},
                    self._hosts_of(site),
                    None
                    if site.public is None
                    else {role: getattr(site.public, key) for role, key in PUBLIC_ROLES.items()},
                )
                for site in self.sites
            ],
            lab=self.environment == "lab",
        )

    def _hosts_of(self, site: Site) -> dict[NetworkRole, list[tuple[str, str]]]:
        """network → [(host name, role)] of one site, in the plan's fixed order: management node,
        transcoding nodes, edge nodes, TURN relays, portal, gateway."""
        hosts: dict[NetworkRole, list[tuple[str, str]]] = {}

        def add(network: NetworkRole, role: str, count: int) -> None:
            hosts.setdefault(network, []).extend((host_name(site.name, role, i), role) for i in range(1, count + 1))

        add("management", "management", 1 if self.management_node.site == site.name else 0)
        add("transcoding", "transcoding", site.transcoding_nodes.count)
        add("dmz", "edge", site.edge_nodes.count)
        add("dmz", "turn", 1 if site.name in self.turn.sites else 0)
        add("services", "portal", 1 if self.portal.host.site == site.name else 0)
        add("services", "gateway", 1 if self.gateway.host.site == site.name else 0)
        return hosts

    def site(self, name: str) -> Site:
        return next(site for site in self.sites if site.name == name)
