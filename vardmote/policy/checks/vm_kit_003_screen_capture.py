"""VM-KIT-003: what is shown in a care meeting cannot be captured on the tablet."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class ScreenCaptureDisabled(Check):
    id = "VM-KIT-003"
    title = "Screenshots and screen recording are disabled on the kit"
    severity = "high"
    remediation = "Set screen_capture_disabled: true in the kiosk profile."
    target_kind = "kiosk_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        if target.data.get("screen_capture_disabled", True) is not True:
            yield Violation("screen_capture_disabled is not true", ("screen_capture_disabled",))


CHECK = ScreenCaptureDisabled()
