"""VM-CORE-002: a stack declares every platform object its environment needs, so no check is left
without its target (removing `pexip:` from production must fail, not skip the global settings)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.settings import policy_settings


class PlatformObjectsDeclared(Check):
    id = "VM-CORE-002"
    title = "Every stack declares the platform objects its environment requires"
    severity = "critical"
    remediation = (
        "Restore what the finding names in the stack file: vardmote:platform.pexip (management_url, username, "
        "verify_tls) for the Pexip objects of a test or production stack, or the site, portal and gateway "
        "settings for the hosts; policies/settings.yaml (platform_objects) lists what each environment needs."
    )
    target_kind = "platform"
    config_section = ()

    def violations(self, target: Target) -> Iterable[Violation]:
        graph = target.data
        root = graph.root()
        if root is None:
            yield Violation("the stack has no single vardmote:platform:VideoPlatform root")
            return
        environment = root.props.get("environment")
        rules = policy_settings().platform_objects
        if environment in rules.managed_environments and root.props.get("pexip_api_configured") is not True:
            yield Violation(
                f"the {environment} stack configures no Pexip Management API (vardmote:platform.pexip is missing), "
                "so its global settings, routing rules and identity providers are never applied"
            )
        present = {resource.type for resource in graph.resources}
        for resource_type in rules.required(environment):
            if resource_type not in present:
                yield Violation(f"the {environment} stack declares no {resource_type}")


CHECK = PlatformObjectsDeclared()
