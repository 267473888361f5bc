"""The browser call probe names the hop that failed from what the page reports, and refuses bad input
before it starts a browser."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from vardmote.verify.browser_call import (
    CallRequest,
    ParticipantResult,
    handed_out_secrets,
    hop_of_net_error,
    judge_connection,
    judge_media,
    judge_unfinished,
    link_for,
    parse_arguments,
    scrubbed,
)

REQUEST = CallRequest(
    url="https://portal.example/mote/",
    ca_file=None,
    room="482913",
    turn_urls=("turns:turn.example:443?transport=tcp",),
    turn_secret="shared-secret",
    relay_only=True,
)


def _peer(label: str, role: str, received: int = 0, sent: int = 0, **changes: Any) -> dict[str, Any]:
    peer: dict[str, Any] = {
        "label": label,
        "role": role,
        "display": "Anhörig" if role == "subscriber" else None,
        "ice": "connected",
        "gathering": "complete",
        "iceHistory": ["checking", "connected"],
        "gathered": {"relay/tls": 1},
        "bytesReceived": {"audio": received, "video": received},
        "bytesSent": {"audio": sent, "video": sent},
        "local": {"candidateType": "relay", "relayProtocol": "tls"},
        "remote": {"candidateType": "host"},
    }
    peer.update(changes)
    return peer


def _summary(*peers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"phase": "joined", "errors": [], "candidateErrors": [], "peers": list(peers)}
    summary.update(changes)
    return summary


CONNECTED = _summary(_peer("publisher", "publisher"), _peer("feed-1", "subscriber"))


@pytest.mark.parametrize(
    ("code", "hop"),
    [
        ("ERR_NAME_NOT_RESOLVED", "DNS"),
        ("ERR_CERT_AUTHORITY_INVALID", "TLS"),
        ("ERR_CERT_COMMON_NAME_INVALID", "TLS"),
        ("ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "TLS"),
        ("ERR_CONNECTION_REFUSED", "HTTPS connection"),
    ],
)
def test_navigation_errors_name_their_hop(code: str, hop: str) -> None:
    assert hop_of_net_error(code) == hop


def test_a_relayed_call_with_everyone_connected_is_ready() -> None:
    result = ParticipantResult("Patient")
    assert judge_connection(REQUEST, result, CONNECTED)
    assert result.failed_hop is None


def test_fewer_feeds_than_participants_is_not_yet_ready_and_then_media() -> None:
    summary = _summary(_peer("publisher", "publisher"))
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert (result.failed_hop, result.detail) == (None, "")
    judge_unfinished(REQUEST, result, summary)
    assert (result.failed_hop, result.detail) == ("media", "receives 0 of the 1 other participants' feeds")


def test_gathering_over_without_a_relay_candidate_is_turn_allocation_with_the_code() -> None:
    summary = _summary(
        _peer("publisher", "publisher", gathered={}, ice="new"),
        candidateErrors=[
            {"errorCode": 401, "errorText": "Unauthorized.", "url": "turns:turn.example:443?transport=tcp"}
        ],
    )
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert result.failed_hop == "TURN allocation"
    assert result.detail == "no relay candidate: 401 Unauthorized. (turns:turn.example:443?transport=tcp)"


def test_relayed_over_udp_when_tls_on_443_was_asked_is_turn_allocation() -> None:
    summary = copy.deepcopy(CONNECTED)
    summary["peers"][1]["local"]["relayProtocol"] = "udp"
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert (result.failed_hop, result.detail) == ("TURN allocation", "feed-1: relayed over udp, not tls")


def test_a_direct_pair_when_relay_only_was_asked_is_ice() -> None:
    summary = copy.deepcopy(CONNECTED)
    summary["peers"][0]["local"] = {"candidateType": "host", "relayProtocol": None}
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert result.failed_hop == "ICE"


def test_a_peer_reflexive_candidate_learned_on_the_relay_counts_as_relayed() -> None:
    # Behind the region's static NAT the node sees relayed media from the relay's internal address.
    summary = copy.deepcopy(CONNECTED)
    summary["peers"][0]["local"] = {"candidateType": "prflx", "relayProtocol": "tls"}
    assert judge_connection(REQUEST, ParticipantResult("Patient"), summary)
    summary["peers"][0]["local"] = {"candidateType": "prflx", "relayProtocol": None}
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert result.failed_hop == "ICE"


def test_ice_that_never_connects_is_ice_with_its_states() -> None:
    summary = _summary(_peer("publisher", "publisher", ice="failed", iceHistory=["checking", "failed"]))
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    judge_unfinished(REQUEST, result, summary)
    assert (result.failed_hop, result.detail) == ("ICE", "not connected: publisher checking → failed")


def test_the_pages_own_errors_name_the_hop() -> None:
    summary = _summary(errors=[{"hop": "api", "detail": "POST /webapp/janus: HTTP 502"}])
    result = ParticipantResult("Patient")
    assert not judge_connection(REQUEST, result, summary)
    assert (result.failed_hop, result.detail) == ("web client API", "POST /webapp/janus: HTTP 502")


def test_a_page_that_never_started_is_the_web_page() -> None:
    result = ParticipantResult("Patient")
    judge_unfinished(REQUEST, result, None)
    assert result.failed_hop == "web page"


def test_media_must_grow_for_audio_and_video_of_every_feed() -> None:
    before = _summary(_peer("publisher", "publisher", sent=100), _peer("feed-1", "subscriber", received=100))
    after = copy.deepcopy(before)
    after["peers"][0]["bytesSent"] = {"audio": 900, "video": 9000}
    after["peers"][1]["bytesReceived"] = {"audio": 800, "video": 100}
    result = ParticipantResult("Patient")
    judge_media(result, before, after)
    assert (result.ok, result.failed_hop, result.detail) == (
        False,
        "media",
        "bytesReceived does not grow: Anhörig video",
    )
    after["peers"][1]["bytesReceived"]["video"] = 5000
    result = ParticipantResult("Patient")
    judge_media(result, before, after)
    assert (result.ok, result.failed_hop) == (True, None)
    assert result.peers[1]["bytes_received_growth"] == {"audio": 700, "video": 4900}


def test_the_link_carries_room_turn_and_relay_in_its_fragment_only() -> None:
    link = urlsplit(link_for(REQUEST, "Patient", 0))
    assert (link.scheme, link.netloc, link.path, link.query) == ("https", "portal.example", "/mote/", "")
    fragment = parse_qs(link.fragment)
    assert fragment["room"] == ["482913"]
    assert fragment["relay"] == ["1"]
    assert fragment["name"] == ["Patient"]
    assert fragment["turn"] == ["turns:turn.example:443?transport=tcp"]
    assert fragment["username"][0].endswith(":vardmote-probe-0")
    assert fragment["credential"][0]


def test_credentials_are_scrubbed_from_what_the_probe_prints() -> None:
    assert scrubbed({"detail": ["x shared-secret y"]}, ["shared-secret"]) == {"detail": ["x •••••• y"]}


@pytest.mark.parametrize(
    ("argument", "value", "said"),
    [
        ("--url", "http://portal.example/mote/", "not an https:// address"),
        ("--room", "48-2913", "not a room number"),
        ("--turn", "https://turn.example", "not a turn: or turns: address"),
        ("--participants", "1", "a call needs at least 2"),
    ],
)
def test_bad_input_is_refused_naming_the_option(
    argument: str, value: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("shared-secret\n")
    arguments = {
        "--url": "https://portal.example/mote/",
        "--room": "482913",
        "--turn": "turns:turn.example:443?transport=tcp",
        "--turn-secret-file": str(secret),
        "--participants": "2",
    }
    arguments[argument] = value
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments([word for pair in arguments.items() for word in pair])
    assert exit_info.value.code == 2
    assert f"{argument} {value}: {said}" in capsys.readouterr().err


def test_an_empty_secret_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret"
    secret.write_text("\n")
    with pytest.raises(SystemExit):
        parse_arguments(
            [
                "--url",
                "https://p.example/mote/",
                "--room",
                "1",
                "--turn",
                "turns:t:443",
                "--turn-secret-file",
                str(secret),
            ]
        )
    assert f"--turn-secret-file {secret}: empty" in capsys.readouterr().err


def test_the_secret_is_read_from_its_file_and_trimmed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("shared-secret\n")
    request = parse_arguments(
        [
            "--url",
            "https://p.example/mote/",
            "--room",
            "1",
            "--turn",
            "turns:t:443",
            "--turn-secret-file",
            str(secret),
            "--relay-only",
        ]
    )
    assert (request.turn_secret, request.relay_only, request.expected_relay_protocol) == ("shared-secret", True, "tls")


def test_what_the_probe_scrubs_is_exactly_the_credential_it_put_in_the_link() -> None:
    credential = parse_qs(urlsplit(link_for(REQUEST, "Patient", 0)).fragment)["credential"][0]
    assert credential in handed_out_secrets(REQUEST, 2)
