"""VM-PLAT-012: the platform's operational logs are kept long enough to investigate an incident and
no longer (data minimisation); the access log is a different log with its own rule (VM-PLAT-013)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE
from vardmote.policy.settings import policy_settings


class OperationalLogRetention(Check):
    id = "VM-PLAT-012"
    title = "The platform's operational logs are kept 30 to 90 days, no longer"
    severity = "medium"
    remediation = (
        "Set vardmote:platform.security.logs_max_age within operational_log_retention_days in "
        "policies/settings.yaml; the access log of who joined which meeting is kept by the region's log "
        "service, not by this setting."
    )
    target_kind = "platform_resource"
    config_section = ("security",)
    resource_types = (GLOBAL_SETTINGS_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        days = (target.data.props.get("fields") or {}).get("logs_max_age")
        limits = policy_settings().operational_log_retention_days
        if not isinstance(days, int) or isinstance(days, bool) or not limits.min <= days <= limits.max:
            yield Violation(
                f"logs_max_age is {days!r} days, must be {limits.min}–{limits.max}", ("fields", "logs_max_age")
            )


CHECK = OperationalLogRetention()
