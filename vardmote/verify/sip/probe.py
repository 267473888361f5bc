"""Place one call through an end and report it: the SIP answer, naming the hop that gave it, and the
RTP packets counted both ways (sent, received by the far end, come back)."""

from __future__ import annotations

import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vardmote.verify.sip.processes import Program, tail
from vardmote.verify.sip.rtp import TalkResult, talk
from vardmote.verify.sip.sipp import CallFiles, Response, answered_media, call_command, final_invite_response

# Who answered, by the Server header of the reply (each hop of the phone path sets its own).
HOPS = {
    "vardmote-gateway": "gateway",
    "vardmote-operator-end": "operator end",
    "vardmote-room-end": "room end",
}


@dataclass
class CallReport:
    number: str
    proxy: tuple[str, int]
    response: Response | None
    media: tuple[str, int] | None
    rtp: TalkResult | None
    min_share: float
    sipp_error: str

    @property
    def problem(self) -> str | None:
        """What went wrong, naming the hop, or None for a call with RTP both ways."""
        response = self.response
        if response is None:
            return f"no answer to the INVITE through {self.proxy[0]}:{self.proxy[1]} (SIPp: {self.sipp_error})"
        hop = HOPS.get(response.server or "", response.server or "the far end")
        answered = f"{hop} answered {response.code} {response.reason}".rstrip()
        if response.code != 200:
            if hop == "gateway" and response.reason.startswith("Trunk challenge failed"):
                return f"trunk challenge failed {response.code}: {answered}"
            if "No answer from the gateway" in response.reason:
                return f"no answer from gateway (TLS): {answered}"
            return answered
        if self.media is None or self.rtp is None:
            return f"{hop} answered 200 without an audio address in its SDP"
        rtp, needed = self.rtp, self.min_share * self.rtp.sent
        remote = f"{self.media[0]}:{self.media[1]}"
        if rtp.sent > 0 and rtp.came_back == 0:
            return f"RTP to {remote}: sent {rtp.sent}, nothing came back (the far end's count comes in its echo)"
        if rtp.sent == 0 or rtp.far_end_received < needed:
            return f"RTP to {remote}: sent {rtp.sent}, the far end received {rtp.far_end_received}"
        if rtp.came_back < needed:
            return (
                f"RTP from {remote}: the far end received {rtp.far_end_received}, "
                f"{rtp.came_back} of {rtp.sent} came back"
            )
        return None

    def summary(self) -> str:
        if self.problem is not None:
            return f"call to {self.number}: FAILED: {self.problem}"
        assert self.rtp is not None
        assert self.media is not None
        return (
            f"call to {self.number}: answered 200, RTP to {self.media[0]}:{self.media[1]}: sent {self.rtp.sent}, "
            f"the far end received {self.rtp.far_end_received}, {self.rtp.came_back} came back"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "ok": self.problem is None,
            "problem": self.problem,
            "response": asdict(self.response) if self.response else None,
            "media": list(self.media) if self.media else None,
            "rtp": None
            if self.rtp is None
            else {
                "sent": self.rtp.sent,
                "far_end_received": self.rtp.far_end_received,
                "came_back": self.rtp.came_back,
                "strays": self.rtp.strays,
            },
        }


def place_call(
    *,
    proxy: tuple[str, int],
    number: str,
    domain: str,
    media_address: str,
    folder: Path,
    caller: str = "vardmote-probe",
    packets: int = 50,
    answer_timeout_s: int = 15,
    min_share: float = 0.9,
) -> CallReport:
    """Call sip:<number>@<domain> through the end's proxy at `proxy`, and once answered send `packets`
    RTP packets (20 ms apart) from media_address to the answer's media address, counting the echo."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = CallFiles.under(folder)
    family = socket.AF_INET6 if ":" in media_address else socket.AF_INET
    rtp: TalkResult | None = None
    media = None
    with socket.socket(family, socket.SOCK_DGRAM) as media_socket:
        media_socket.bind((media_address, 0))
        hold_ms = int(packets * 20 + 1500)
        command = call_command(
            proxy=proxy,
            number=number,
            domain=domain,
            caller=caller,
            local_address=proxy[0],
            rtp_address=media_address,
            rtp_port=media_socket.getsockname()[1],
            hold_ms=hold_ms,
            answer_timeout_s=answer_timeout_s,
            files=files,
        )
        call = Program("SIPp call", command, folder / "sipp-call.log")
        try:
            while call.running() and media is None:
                media = answered_media(files)
                time.sleep(0.02)
            media = media or answered_media(files)
            if media is not None:
                rtp = talk(media_socket, media, packets)
            call.process.wait(timeout=answer_timeout_s + hold_ms / 1000 + 15)
        finally:
            call.stop()
    return CallReport(
        number=number,
        proxy=proxy,
        response=final_invite_response(files),
        media=media,
        rtp=rtp,
        min_share=min_share,
        sipp_error=tail(files.errors, 2).strip() or f"exit {call.process.returncode}",
    )
