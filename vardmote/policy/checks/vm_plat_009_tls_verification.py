"""VM-PLAT-009: the platform is administered over verified TLS."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import ROOT_TYPE


class TlsVerified(Check):
    id = "VM-PLAT-009"
    title = "The Management API is reached over HTTPS with certificate verification on"
    severity = "high"
    remediation = "Set pexip.verify_tls: true and an https:// management_url; name the region's CA in pexip.ca_bundle."
    target_kind = "platform_resource"
    config_section = ("pexip",)
    resource_types = (ROOT_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        props = target.data.props
        if props.get("pexip_api_configured") is False:  # no Management API here (the lab): nothing to reach
            return
        api = props.get("pexip_api")
        if not isinstance(api, dict):
            yield Violation("the Management API settings are missing or unknown", ("pexip_api",))
            return
        if api.get("verify_tls") is not True:
            yield Violation(f"verify_tls is {api.get('verify_tls')!r}, must be true", ("pexip_api", "verify_tls"))
        url = api.get("management_url")
        if not isinstance(url, str) or not url.startswith("https://"):
            yield Violation(f"management_url {url!r} is not https", ("pexip_api", "management_url"))


CHECK = TlsVerified()
