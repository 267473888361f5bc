"""A real call, as its participants make it (routine 4.2.3–4.2.4, 5.2): a patient at home joins a room
in a browser with media through TURN over TLS on 443, a relative dials in by phone through the
operator's trunk, and a room dials out to a phone, each with RTP counted both ways.

They start outside the region, so they need the lab's home and operator (`vardmote lab up`, its
internet: the inventory's `vardmote_lab_outside`); a region's stack has no such places and skips them.
Each probe runs in its place's network namespace and names the hop that failed: DNS, TLS, TURN
allocation, ICE, media, or the SIP response and who gave it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from typing import Any

import pytest

from vardmote.core.namespaces import python_module_in
from vardmote.verify.conftest import all_hosts, in_group
from vardmote.verify.model import VerifyHost

PROBE_TIMEOUT_S = 180
# What a room dials out to: a number of the operator's, outside the rooms' range.
PHONE_NUMBER = "+46701234567"


def _outside(place: str) -> dict[str, Any]:
    for host in all_hosts():
        places = host.variables.get("vardmote_lab_outside")
        if places:
            return dict(places[place])
    pytest.skip("the calls start outside the region, in the lab's home and operator (`vardmote lab up`)")


def _first(group: str) -> VerifyHost:
    hosts = in_group(group)
    if not hosts:
        pytest.skip(f"no {group} host in the inventory")
    return hosts[0]


def _room() -> str:
    # A room of its own each run: a run cut short leaves its participants in the conferencing stand-in's
    # room until their sessions time out, and a new run would wait for their media.
    return str(900000 + secrets.randbelow(100000))


def _probe(netns: str, module: str, arguments: list[str], stdin: str = "") -> tuple[int, dict[str, Any], str]:
    command = python_module_in(netns, module, *arguments)
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False)
    try:
        return done.returncode, json.loads(done.stdout), done.stderr
    except json.JSONDecodeError:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.fail(f"{module} in {netns} gave no result (exit {done.returncode}): {tail}")


def test_a_patient_at_home_joins_a_room_with_media_through_turn_over_443() -> None:
    home = _outside("home")
    relay = _first("edge")
    portal = relay.var("vardmote_portal")["public_name"]
    turn = f"turns:{relay.var('vardmote_turn_realm')}:{relay.var('vardmote_turn_tls_port')}?transport=tcp"
    arguments = ["--url", f"https://{portal}/mote/", "--ca", str(relay.var("vardmote_tls_ca_file"))]
    arguments += ["--room", _room(), "--turn", turn, "--relay-only", "--turn-secret-file", "-"]
    rc, result, _ = _probe(
        home["netns"], "vardmote.verify.browser_call", arguments, f"{relay.var('edge_turn_shared_secret')}\n"
    )
    assert rc == 0, f"a browser at home ({home['netns']}): {result.get('failed_hop')}: {result.get('detail')}"
    for participant in result["participants"]:
        protocols = {peer["relay_protocol"] for peer in participant["peers"]}
        assert protocols == {"tls"}, f"{participant['name']}: media relayed over {protocols}, not TLS on 443"


def _call(netns: str, number: str, media_address: str) -> None:
    domain = str(_first("gateway").var("vardmote_domain"))
    arguments = [
        "call",
        number,
        "--via",
        "127.0.0.1:5060",
        "--domain",
        domain,
        "--media-address",
        media_address,
        "--json",
    ]
    rc, result, _ = _probe(netns, "vardmote.verify.sip", arguments)
    assert rc == 0, f"a call to {number} from {netns}: {result.get('problem')}"
    rtp = result["rtp"]
    assert rtp["far_end_received"] > 0, f"a call to {number}: no RTP reached the far end"
    assert rtp["came_back"] > 0, f"a call to {number}: no RTP came back"


def test_a_relative_dials_in_by_phone_through_the_trunk_with_rtp_both_ways() -> None:
    operator = _outside("operator")
    prefix = _first("gateway").var("vardmote_sip_trunk").get("dial_in_prefix")
    if not prefix:
        pytest.skip("the stack gives its rooms no phone numbers (portal.room_defaults.phone_dial_in_prefix)")
    _call(operator["netns"], f"{prefix}{_room()}", operator["address"])


def test_a_room_dials_out_to_a_phone_through_the_trunk_with_rtp_both_ways() -> None:
    _outside("operator")
    room = _first("conferencing_lab")
    _call(str(room.var("vardmote_lab_netns")), PHONE_NUMBER, room.address)
