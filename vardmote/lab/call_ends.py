"""The far ends of the lab's phone calls, played as appliances (appliances.py):

- the **operator's end** of the SIP trunk, in the operator's namespace (internet.OPERATOR): it
  challenges the gateway's dial-out calls with the trunk's digest credentials and answers them with an
  RTP echo, and places dial-in calls;
- the **room's end** on each conferencing host: the SIP side of a Pexip conferencing node, which answers
  what the gateway dispatches (a dial-in reaching a room) with an RTP echo and places dial-out calls.

Both are `python -m vardmote.verify.sip serve …` (a TLS Kamailio in front of SIPp, which has no TLS),
run from this machine's virtualenv in the place's namespace, as the Pexip appliances' own services are.
The trunk's password is the lab's own (`gateway_sip_trunk_password` in the inventory's 30-secrets.yml,
which the gateway is deployed with too) and reaches the operator's end in its environment only.
"""

from __future__ import annotations

from pathlib import Path

from vardmote.lab import internet
from vardmote.lab.appliances import Appliance
from vardmote.lab.certificates import ensure_host_certificate
from vardmote.lab.hosts import LabHost
from vardmote.lab.layout import LabLayout
from vardmote.platform.config import PlatformConfig

SIP_TLS_PORT = 5061
OPERATOR_MEDIA_PORT = 16000
# Inside the conferencing host's media range (40000–49999), which its firewall lets in.
ROOM_MEDIA_PORT = 49998
PASSWORD_ENV = "VARDMOTE_SIP_TRUNK_PASSWORD"
ROOM_ROLE = "transcoding"


def planned(
    layout: LabLayout,
    hosts: list[LabHost],
    platform: PlatformConfig,
    certificates: dict[str, dict[str, str]],
    trunk_password: str,
) -> list[Appliance]:
    """The operator's end and a room end per conferencing host, if the stack has a gateway with a trunk."""
    gateway = platform.gateway
    gateways = [host for host in hosts if host.role == "gateway"]
    if gateway is None or gateway.sip_trunk is None or not gateways:
        return []
    trunk = gateway.sip_trunk
    toward = f"{gateways[0].address}:{SIP_TLS_PORT}"
    ca_file = str(layout.ca_dir / "ca.pem")
    operator = internet.OPERATOR
    operator_tls = ensure_host_certificate(layout.ca_dir, "operator", operator.address, [trunk.proxy_address])
    ends = [
        Appliance(
            operator,
            "trunk-end",
            SIP_TLS_PORT,
            (
                "vardmote.verify.sip", "serve", "operator", "--address", operator.address, "--gateway", toward,
                "--username", trunk.username, "--realm", trunk.proxy_address, *_tls(operator_tls, ca_file),
                "--media-port", str(OPERATOR_MEDIA_PORT), "--folder", str(_folder(layout, operator.name, "trunk-end")),
            ),
            environment=((PASSWORD_ENV, trunk_password),),
        )
    ]  # fmt: skip
    for host in hosts:
        if host.role != ROOM_ROLE:
            continue
        ends.append(
            Appliance(
                host,
                "room-end",
                SIP_TLS_PORT,
                (
                    "vardmote.verify.sip", "serve", "room", "--address", host.address, "--gateway", toward,
                    *_tls(certificates[host.name], ca_file), "--media-port", str(ROOM_MEDIA_PORT),
                    "--folder", str(_folder(layout, host.name, "room-end")),
                ),
            )
        )  # fmt: skip
    return ends


def _tls(certificate: dict[str, str], ca_file: str) -> tuple[str, ...]:
    return (
        "--certificate", certificate["vardmote_tls_certificate_file"],
        "--key", certificate["vardmote_tls_key_file"], "--ca", ca_file,
    )  # fmt: skip


def _folder(layout: LabLayout, place: str, name: str) -> Path:
    return layout.host_dir(place) / name
