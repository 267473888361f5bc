"""What the phone probe reads: RTP packets (and what is not one), and SIPp's message trace."""

from __future__ import annotations

from pathlib import Path

from vardmote.verify.sip.probe import CallReport
from vardmote.verify.sip.rtp import RtpPacket, TalkResult
from vardmote.verify.sip.sipp import CallFiles, Response, answered_media, final_invite_response

TRACE = """\
----------------------------------------------- 2026-12-01 15:04:18.979781
UDP message sent (1000 bytes):

INVITE sip:+46606000482913@lab.vardmote.example SIP/2.0
CSeq: 1 INVITE
Content-Length: 0

----------------------------------------------- 2026-12-01 15:04:18.989781
UDP message received [300] bytes :

SIP/2.0 100 trying -- your call is important to us
CSeq: 1 INVITE
Content-Length: 0

----------------------------------------------- 2026-12-01 15:04:19.009781
UDP message received [300] bytes :

SIP/2.0 404 Not a number of this region's rooms
Via: SIP/2.0/UDP 127.0.0.1:5070
CSeq: 1 INVITE
Server: vardmote-gateway
Content-Length: 0

----------------------------------------------- 2026-12-01 15:04:19.109781
UDP message received [300] bytes :

SIP/2.0 200 OK
CSeq: 2 BYE
Server: vardmote-operator-end
Content-Length: 0

"""


def test_rtp_round_trips_and_other_datagrams_are_not_rtp() -> None:
    packet = RtpPacket(0, 65535, 160 * 7, 0xDEADBEEF, b"\xff" * 160)
    assert RtpPacket.decode(packet.encode()) == packet
    assert RtpPacket.decode(b"\x80\xc8" + bytes(26)) is None  # an RTCP sender report
    assert RtpPacket.decode(b"\x00\x01\x00\x00" + bytes(16)) is None  # a STUN binding request
    assert RtpPacket.decode(b"\x80") is None


def test_the_final_answer_to_the_invite_is_read_with_who_gave_it(tmp_path: Path) -> None:
    files = CallFiles.under(tmp_path)
    files.messages.write_text(TRACE)
    # Not the provisional 100, not the 200 to the BYE.
    assert final_invite_response(files) == Response(404, "Not a number of this region's rooms", "vardmote-gateway")
    assert answered_media(files) is None
    files.log.write_text("media 10.231.0.74 40000\n")  # as uac.xml logs it
    assert answered_media(files) == ("10.231.0.74", 40000)


ANSWERED = Response(200, "OK", "vardmote-room-end")


def report(rtp: TalkResult | None, response: Response | None = ANSWERED) -> CallReport:
    return CallReport("+46606000482913", ("127.0.0.1", 5060), response, ("10.0.0.1", 40000), rtp, 0.9, "")


def test_each_failure_names_its_hop_and_direction() -> None:
    remote = ("10.0.0.1", 40000)
    assert report(TalkResult(remote, sent=50, came_back=50, far_end_received=50)).problem is None
    assert report(TalkResult(remote, sent=50, came_back=0, far_end_received=0)).problem == (
        "RTP to 10.0.0.1:40000: sent 50, nothing came back (the far end's count comes in its echo)"
    )
    assert report(TalkResult(remote, sent=50, came_back=10, far_end_received=12)).problem == (
        "RTP to 10.0.0.1:40000: sent 50, the far end received 12"
    )
    assert report(TalkResult(remote, sent=50, came_back=10, far_end_received=50)).problem == (
        "RTP from 10.0.0.1:40000: the far end received 50, 10 of 50 came back"
    )
    assert report(None, Response(403, "Trunk challenge failed", "vardmote-gateway")).problem == (
        "trunk challenge failed 403: gateway answered 403 Trunk challenge failed"
    )
    assert report(None, Response(408, "No answer from the gateway (TLS)", "vardmote-operator-end")).problem == (
        "no answer from gateway (TLS): operator end answered 408 No answer from the gateway (TLS)"
    )
    assert report(None, None).problem == "no answer to the INVITE through 127.0.0.1:5060 (SIPp: )"
