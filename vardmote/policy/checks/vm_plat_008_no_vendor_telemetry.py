"""VM-PLAT-008: nothing about meetings leaves the region for the vendor."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE


class NoVendorTelemetry(Check):
    id = "VM-PLAT-008"
    title = "Usage analytics and error reports are not sent to the vendor"
    severity = "high"
    remediation = "Set security.enable_analytics and security.error_reporting_enabled to false."
    target_kind = "platform_resource"
    config_section = ("security",)
    resource_types = (GLOBAL_SETTINGS_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        fields = target.data.props.get("fields") or {}
        for name in ("enable_analytics", "error_reporting_enabled"):
            if fields.get(name) is not False:
                yield Violation(f"{name} is {fields.get(name)!r}, must be false", ("fields", name))


CHECK = NoVendorTelemetry()
