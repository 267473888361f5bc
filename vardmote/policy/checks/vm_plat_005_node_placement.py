"""VM-PLAT-005: edge nodes in the DMZ; transcoding and management nodes on internal networks."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import NODE_TYPES


class NodesOnTheirNetworks(Check):
    id = "VM-PLAT-005"
    title = "Proxying edge nodes sit in the DMZ and transcoding and management nodes are not exposed"
    severity = "high"
    remediation = (
        "Place proxying edge nodes on the site's DMZ network and transcoding nodes on its internal "
        "transcoding network; internet participants reach transcoding only through an edge node."
    )
    target_kind = "platform_resource"
    resource_types = tuple(NODE_TYPES)

    def violations(self, target: Target) -> Iterable[Violation]:
        expected = NODE_TYPES[target.data.type]
        network = target.data.props.get("network")
        if network != expected:
            kind = target.data.type.rsplit(":", 1)[-1]
            yield Violation(f"{kind} {target.data.name} is on the {network!r} network, must be on {expected!r}")


CHECK = NodesOnTheirNetworks()
