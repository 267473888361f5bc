"""VM-PLAT-004: no unencrypted legacy signalling (H.323, SIP over UDP)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE


class LegacyProtocolsOff(Check):
    id = "VM-PLAT-004"
    title = "H.323 and SIP over UDP are switched off"
    severity = "high"
    remediation = "Set security.enable_h323 and security.enable_sip_udp to false; participants use SIP/TLS or WebRTC."
    target_kind = "platform_resource"
    config_section = ("security",)
    resource_types = (GLOBAL_SETTINGS_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        fields = target.data.props.get("fields") or {}
        for name in ("enable_h323", "enable_sip_udp"):
            if fields.get(name) is not False:
                yield Violation(f"{name} is {fields.get(name)!r}, must be false", ("fields", name))


CHECK = LegacyProtocolsOff()
