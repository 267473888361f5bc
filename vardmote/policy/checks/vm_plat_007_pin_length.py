"""VM-PLAT-007: PINs long enough not to be guessed."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE
from vardmote.policy.settings import policy_settings


class PinLength(Check):
    id = "VM-PLAT-007"
    title = "Room PINs have at least 6 digits"
    severity = "medium"
    remediation = "Set vardmote:platform.security.min_pin_length to 6 or more."
    target_kind = "platform_resource"
    config_section = ("security",)
    resource_types = (GLOBAL_SETTINGS_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        length = (target.data.props.get("fields") or {}).get("min_pin_length")
        minimum = policy_settings().min_pin_length
        if not isinstance(length, int) or isinstance(length, bool) or length < minimum:
            yield Violation(f"min_pin_length is {length!r}, must be at least {minimum}", ("fields", "min_pin_length"))


CHECK = PinLength()
