"""VM-KIT-001: the kit's tablet shows the region's video web client and nothing else."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from vardmote.policy.model import Check, Target, Violation


class KioskLockedToVideoClient(Check):
    id = "VM-KIT-001"
    title = "The kiosk is locked to the region's video web client, with no other host or navigation"
    severity = "high"
    remediation = (
        "Set start_url to the region's web client (region.yaml video_service.web_client_url), allowed_hosts "
        "to its host only, and system_navigation: false."
    )
    target_kind = "kiosk_profile"

    def violations(self, target: Target) -> Iterable[Violation]:
        profile = target.data
        web_client = target.context.region.model.video_service.web_client_url
        host = urlsplit(web_client).hostname
        start_url = profile.get("start_url")
        if not isinstance(start_url, str) or not start_url.startswith(web_client):
            yield Violation(f"start_url {start_url!r} is not the region's web client {web_client}", ("start_url",))
        if profile.get("allowed_hosts") != [host]:
            yield Violation(
                f"allowed_hosts is {profile.get('allowed_hosts')!r}, must be only [{host!r}]", ("allowed_hosts",)
            )
        if profile.get("system_navigation", False) is not False:
            yield Violation("system_navigation lets the user leave the kiosk", ("system_navigation",))


CHECK = KioskLockedToVideoClient()
