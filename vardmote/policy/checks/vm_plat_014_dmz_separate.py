"""VM-PLAT-014: the DMZ is a network of its own, never the internal network under another name."""

from collections.abc import Iterable
from typing import Any

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import NODE_TYPES, VM_TYPES


def _networks(props: dict[str, Any]) -> set[str]:
    found = set()
    for interface in props.get("networkInterfaces") or props.get("networkDevices") or []:
        if isinstance(interface, dict):
            found.add(str(interface.get("networkId") or interface.get("bridge")))
    return found


class DmzSeparate(Check):
    id = "VM-PLAT-014"
    title = "No DMZ virtual machine shares a network (port group) with transcoding or management machines"
    severity = "critical"
    remediation = (
        "Give vardmote:platform.sites[].networks.dmz.port_group its own port group, distinct from the "
        "transcoding and management port groups of the same site."
    )
    target_kind = "platform"
    config_section = ("sites",)

    def violations(self, target: Target) -> Iterable[Violation]:
        graph = target.data
        roles = {node.name: NODE_TYPES[node.type] for node in graph.of_type(*NODE_TYPES)}
        internal: dict[str, str] = {}
        dmz: dict[str, str] = {}
        for vm in graph.of_type(*VM_TYPES):
            role = roles.get(vm.name)
            for network in _networks(vm.props):
                if role == "dmz":
                    dmz.setdefault(network, vm.name)
                elif role in ("transcoding", "management"):
                    internal.setdefault(network, vm.name)
        for network in sorted(set(dmz) & set(internal)):
            yield Violation(
                f"{network} carries both the DMZ machine {dmz[network]} and the internal machine {internal[network]}"
            )


CHECK = DmzSeparate()
