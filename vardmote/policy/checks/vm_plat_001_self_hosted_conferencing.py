"""VM-PLAT-001: meetings with sensitive data run on the region's own servers (routine 4.2.2)."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import HOST_TYPES, ROOT_TYPE, walk
from vardmote.policy.settings import policy_settings

ON_PREM_HYPERVISORS = ("vsphere", "proxmox", "existing")


def _host_of(value: str) -> str:
    return (urlsplit(value).hostname or "") if "://" in value else value


class SelfHostedConferencing(Check):
    id = "VM-PLAT-001"
    title = "Conferencing runs only on the region's own servers, never on a public video service"
    severity = "critical"
    remediation = (
        "Deploy the platform on the region's hypervisors (hypervisor.kind vsphere, proxmox or existing) and "
        "point every URL at the region's own hosts; remove any public video service."
    )
    target_kind = "platform_resource"
    config_section = ()
    resource_types = (ROOT_TYPE, *HOST_TYPES)

    def violations(self, target: Target) -> Iterable[Violation]:
        props = target.data.props
        if target.data.type == ROOT_TYPE and props.get("hypervisor") not in ON_PREM_HYPERVISORS:
            yield Violation(f"hypervisor {props.get('hypervisor')!r} is not one of the region's own", ("hypervisor",))
        saas = policy_settings().saas_video_domains
        for path, value in walk(props):
            if not isinstance(value, str):
                continue
            host = _host_of(value).lower()
            for domain in saas:
                if host == domain or host.endswith(f".{domain}"):
                    yield Violation(f"{'.'.join(map(str, path))} points at the public service {domain}", path)


CHECK = SelfHostedConferencing()
