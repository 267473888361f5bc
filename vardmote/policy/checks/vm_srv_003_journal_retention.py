"""VM-SRV-003: the hosts keep their journal (operational logs) for the operational-log period."""

import re
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import walk
from vardmote.policy.settings import policy_settings

# systemd.time(7) spans, in days.
UNITS = {
    "s": 1 / 86400,
    "sec": 1 / 86400,
    "min": 1 / 1440,
    "m": 1 / 1440,
    "h": 1 / 24,
    "hour": 1 / 24,
    "d": 1,
    "day": 1,
    "w": 7,
    "week": 7,
    "month": 30.44,
    "M": 30.44,
    "y": 365.25,
    "year": 365.25,
}
SPAN = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")
RETENTION_NAME = re.compile(r"journald?_(max_)?retention", re.IGNORECASE)


def days_of(span: object) -> float | None:
    """A systemd time span ("90day", "3month", "2w 3d") in days; None when it is not one."""
    text = str(span).strip()
    if text.isdigit():
        return int(text) / 86400  # a bare number is seconds
    parts = SPAN.findall(text)
    if not parts or SPAN.sub("", text).strip():
        return None
    total = 0.0
    for number, unit in parts:
        factor = UNITS.get(unit) or UNITS.get(unit.rstrip("s"))
        if factor is None:
            return None
        total += float(number) * factor
    return total


class JournalRetention(Check):
    id = "VM-SRV-003"
    title = "The hosts' journal is kept 30 to 90 days, no longer"
    severity = "medium"
    remediation = (
        "Set baseline_journald_retention to a systemd span within operational_log_retention_days in "
        "policies/settings.yaml, e.g. 90day."
    )
    target_kind = "ansible_vars"

    def violations(self, target: Target) -> Iterable[Violation]:
        limits = policy_settings().operational_log_retention_days
        for path, value in walk(target.data):
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            if not RETENTION_NAME.search(name) or (isinstance(value, str) and "{{" in value):
                continue
            days = days_of(value)
            if days is None or not limits.min <= days <= limits.max:
                yield Violation(f"{name} is {value!r}, must be {limits.min}–{limits.max} days", path)


CHECK = JournalRetention()
