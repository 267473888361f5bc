"""VM-PLAT-005: edge nodes in the DMZ; transcoding and management nodes on internal networks."""

import ipaddress
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import NODE_TYPES

INTERNAL_NETWORKS = ("transcoding", "management")


class NodesOnTheirNetworks(Check):
    id = "VM-PLAT-005"
    title = "Proxying edge nodes sit in the DMZ and transcoding and management nodes are not exposed"
    severity = "high"
    remediation = (
        "Place proxying edge nodes on the site's DMZ network and transcoding nodes on its internal "
        "transcoding network, a private (RFC 1918) range in vardmote:platform.sites[].networks; internet "
        "participants reach transcoding only through an edge node."
    )
    target_kind = "platform_resource"
    config_section = ("sites",)
    resource_types = tuple(NODE_TYPES)

    def violations(self, target: Target) -> Iterable[Violation]:
        expected = NODE_TYPES[target.data.type]
        network = target.data.props.get("network")
        kind = target.data.type.rsplit(":", 1)[-1]
        if network != expected:
            yield Violation(f"{kind} {target.data.name} is on the {network!r} network, must be on {expected!r}")
        if expected not in INTERNAL_NETWORKS:
            return
        address = target.data.props.get("address")
        try:
            private = ipaddress.ip_address(str(address)).is_private
        except ValueError:
            yield Violation(f"{kind} {target.data.name} has no known address ({address!r})", ("address",))
            return
        if not private:
            yield Violation(
                f"{kind} {target.data.name} has the public address {address}; the {expected} network must be "
                "a private range",
                ("address",),
            )


CHECK = NodesOnTheirNetworks()
