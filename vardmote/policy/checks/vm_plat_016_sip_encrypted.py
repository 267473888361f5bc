"""VM-PLAT-016: every SIP leg is TLS and no routing rule dials out over H.323."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import ROUTING_RULE_TYPE

GATEWAY_TYPE = "vardmote:platform:Gateway"
SIP_PROXY_TYPE = "pulumi-python:dynamic/pexip:SipProxy"
UNENCRYPTED_PROTOCOLS = ("h323",)


class SipSignallingEncrypted(Check):
    id = "VM-PLAT-016"
    title = "The SIP trunk and SIP proxies use TLS and no call routing rule dials out over H.323"
    severity = "high"
    remediation = (
        "Set vardmote:platform.gateway.sip_trunk.transport to tls (port 5061) and give routing rules "
        "outgoing_protocol: sip (or webrtc/mssip), never h323."
    )
    target_kind = "platform"
    config_section = ("gateway",)

    def violations(self, target: Target) -> Iterable[Violation]:
        graph = target.data
        for gateway in graph.of_type(GATEWAY_TYPE):
            trunk = gateway.props.get("sip_trunk") or {}
            if trunk.get("transport") != "tls":
                yield Violation(f"gateway {gateway.name}'s SIP trunk uses {trunk.get('transport')!r}, must be tls")
        for proxy in graph.of_type(SIP_PROXY_TYPE):
            transport = (proxy.props.get("fields") or {}).get("transport")
            if transport != "tls":
                yield Violation(f"SIP proxy {proxy.name} uses {transport!r}, must be tls")
        for rule in graph.of_type(ROUTING_RULE_TYPE):
            fields = rule.props.get("fields") or {}
            if fields.get("outgoing_protocol") in UNENCRYPTED_PROTOCOLS:
                yield Violation(f"routing rule {fields.get('name')!r} dials out over {fields.get('outgoing_protocol')}")


CHECK = SipSignallingEncrypted()
