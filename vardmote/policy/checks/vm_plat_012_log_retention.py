"""VM-PLAT-012: logs are kept long enough to follow up access, and no longer than needed."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE
from vardmote.policy.settings import policy_settings


class LogRetention(Check):
    id = "VM-PLAT-012"
    title = "Platform logs are kept for the required period (30 to 365 days)"
    severity = "medium"
    remediation = "Set vardmote:platform.security.logs_max_age within the range in policies/settings.yaml."
    target_kind = "platform_resource"
    resource_types = (GLOBAL_SETTINGS_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        days = (target.data.props.get("fields") or {}).get("logs_max_age")
        limits = policy_settings().log_retention_days
        if not isinstance(days, int) or isinstance(days, bool) or not limits.min <= days <= limits.max:
            yield Violation(
                f"logs_max_age is {days!r} days, must be {limits.min}–{limits.max}", ("fields", "logs_max_age")
            )


CHECK = LogRetention()
