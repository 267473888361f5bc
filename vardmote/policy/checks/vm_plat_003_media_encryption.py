"""VM-PLAT-003: media is encrypted (HSLF-FS 2016:40: encryption on open networks)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import GLOBAL_SETTINGS_TYPE, ROUTING_RULE_TYPE


class MediaEncryptionRequired(Check):
    id = "VM-PLAT-003"
    title = "Media encryption is required for every call, in the platform and on every gateway route"
    severity = "critical"
    remediation = 'Set vardmote:platform.security.crypto_mode to "on"; routing rules inherit it.'
    target_kind = "platform_resource"
    config_section = ("security",)
    resource_types = (GLOBAL_SETTINGS_TYPE, ROUTING_RULE_TYPE)

    def violations(self, target: Target) -> Iterable[Violation]:
        mode = (target.data.props.get("fields") or {}).get("crypto_mode")
        if mode != "on":
            yield Violation(f"crypto_mode is {mode!r}, must be 'on'", ("fields", "crypto_mode"))


CHECK = MediaEncryptionRequired()
