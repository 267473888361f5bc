"""VM-PLAT-002: nodes run only at the region's allowed on-prem sites (routine 4.2.2)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import HOST_TYPES, PlatformGraph


class NodesInAllowedLocations(Check):
    id = "VM-PLAT-002"
    title = "Every platform host runs at one of the region's allowed on-prem sites"
    severity = "high"
    remediation = "Move the host to a site listed in vardmote:platform.allowed_locations, or correct the list."
    target_kind = "platform"
    config_section = ("allowed_locations",)

    def violations(self, target: Target) -> Iterable[Violation]:
        graph: PlatformGraph = target.data
        root = graph.root()
        if root is None:
            yield Violation("the stack has no single vardmote:platform:VideoPlatform root; placement is unknown")
            return
        allowed = root.props.get("allowed_locations")
        if not isinstance(allowed, list) or not allowed:
            yield Violation("allowed_locations is missing or unknown")
            return
        for host in graph.of_type(*HOST_TYPES):
            site = host.props.get("site")
            if site not in allowed:
                yield Violation(
                    f"{host.name} runs at {site!r}, which is not an allowed location ({', '.join(allowed)})"
                )


CHECK = NodesInAllowedLocations()
