"""VM-KIT-005: the kit's mobile data stays on Swedish networks."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class DataRoamingOff(Check):
    id = "VM-KIT-005"
    title = "Data roaming is off on the kit's mobile broadband"
    severity = "medium"
    remediation = "Set data_roaming: false in the broadband profile."
    target_kind = "broadband_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        if target.data.get("data_roaming", False) is not False:
            yield Violation(f"data_roaming is {target.data.get('data_roaming')!r}, must be false", ("data_roaming",))


CHECK = DataRoamingOff()
