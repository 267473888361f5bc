"""VM-KIT-004: no data leaves or enters the tablet over USB."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class UsbDataDisabled(Check):
    id = "VM-KIT-004"
    title = "USB data transfer is disabled on the kit (charging only)"
    severity = "medium"
    remediation = "Set usb_data_disabled: true in the kiosk profile."
    target_kind = "kiosk_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        if target.data.get("usb_data_disabled", True) is not True:
            yield Violation("usb_data_disabled is not true", ("usb_data_disabled",))


CHECK = UsbDataDisabled()
