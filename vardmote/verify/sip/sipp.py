"""SIPp as the ends use it: the answering side (uas.xml) of an end, and one call (uac.xml) placed
through an end's proxy, with what it was answered read back from SIPp's own message trace."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

from vardmote.verify.sip.processes import require

SCENARIO_FOLDER = Path(__file__).parent
ANSWER_SCENARIO = SCENARIO_FOLDER / "uas.xml"
CALL_SCENARIO = SCENARIO_FOLDER / "uac.xml"
MEDIA_LINE = re.compile(r"^media (\S+) (\d+)\s*$", re.MULTILINE)
STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")


def sipp() -> str:
    return require("sipp", "sip-tester")


def free_udp_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _control_socket(address: str) -> tuple[str, ...]:
    """SIPp's remote-control socket on the address it runs on (by default it listens on every address at
    UDP 8888, which a host's port table does not have), on a free port so two SIPps never share it."""
    return ("-ci", address, "-cp", str(free_udp_port(address)))


def _keys(**values: str) -> list[str]:
    """The scenario's keys, each `-key NAME VALUE` (the scenarios read them as [NAME])."""
    return [part for name, value in values.items() for part in ("-key", name, value)]


def answer_command(
    *, address: str, port: int, rtp_address: str, rtp_port: int, server: str, trace_folder: Path
) -> list[str]:
    """SIPp answering every call at address:port (UDP, behind the end's proxy), media at the echo."""
    return [
        sipp(),
        "-sf",
        str(ANSWER_SCENARIO),
        "-i",
        address,
        "-p",
        str(port),
        "-t",
        "u1",
        # SIPp's own media sockets are not used (the RTP echo is ours); a free port keeps two SIPps apart.
        "-mp",
        str(free_udp_port(address)),
        *_control_socket(address),
        *_keys(rtp_ip=rtp_address, rtp_port=str(rtp_port), server=server),
        "-nostdin",
        "-trace_msg",
        "-message_file",
        str(trace_folder / "answer-messages.log"),
        "-trace_err",
        "-error_file",
        str(trace_folder / "answer-errors.log"),
    ]


@dataclass(frozen=True)
class CallFiles:
    messages: Path
    log: Path
    errors: Path

    @classmethod
    def under(cls, folder: Path) -> CallFiles:
        return cls(folder / "call-messages.log", folder / "call.log", folder / "call-errors.log")


def call_command(
    *,
    proxy: tuple[str, int],
    number: str,
    domain: str,
    caller: str,
    local_address: str,
    rtp_address: str,
    rtp_port: int,
    hold_ms: int,
    answer_timeout_s: int,
    files: CallFiles,
) -> list[str]:
    """SIPp placing one call to sip:<number>@<domain> through the end's proxy, held `hold_ms` once answered."""
    return [
        sipp(),
        f"{proxy[0]}:{proxy[1]}",
        "-sf",
        str(CALL_SCENARIO),
        "-s",
        number,
        "-i",
        local_address,
        "-p",
        str(free_udp_port(local_address)),
        "-mp",
        str(free_udp_port(local_address)),
        *_control_socket(local_address),
        "-t",
        "u1",
        "-m",
        "1",
        "-d",
        str(hold_ms),
        *_keys(domain=domain, caller=caller, rtp_ip=rtp_address, rtp_port=str(rtp_port)),
        "-recv_timeout",
        str(answer_timeout_s * 1000),
        "-timeout",
        f"{answer_timeout_s + hold_ms // 1000 + 10}s",
        "-nostdin",
        "-trace_msg",
        "-message_file",
        str(files.messages),
        "-trace_logs",
        "-log_file",
        str(files.log),
        "-trace_err",
        "-error_file",
        str(files.errors),
    ]


def answered_media(files: CallFiles) -> tuple[str, int] | None:
    """The media address of the answer's SDP, once the call scenario has logged it."""
    try:
        found = MEDIA_LINE.search(files.log.read_text(errors="replace"))
    except FileNotFoundError:
        return None
    return (found.group(1), int(found.group(2))) if found else None


@dataclass(frozen=True)
class Response:
    code: int
    reason: str
    server: str | None


def _messages(trace: Path) -> list[tuple[str, str]]:
    """(heading, message) of each message in a SIPp message trace, in order."""
    try:
        text = trace.read_text(errors="replace")
    except FileNotFoundError:
        return []
    found = []
    for block in re.split(r"^-{20,}.*$", text, flags=re.MULTILINE):
        lines = block.strip("\r\n").splitlines()
        if not lines:
            continue
        heading = lines[0]
        body = "\n".join(lines[1:]).lstrip("\r\n")
        found.append((heading, body))
    return found


def final_invite_response(files: CallFiles) -> Response | None:
    """The last final (>= 200) response to the INVITE that SIPp received, or None if none came."""
    last: Response | None = None
    for heading, message in _messages(files.messages):
        if "received" not in heading:
            continue
        lines = message.splitlines()
        status = STATUS_LINE.match(lines[0].strip()) if lines else None
        if status is None or int(status.group(1)) < 200:
            continue
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line.strip():
                break
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        if "INVITE" not in headers.get("cseq", ""):
            continue
        last = Response(int(status.group(1)), status.group(2).strip(), headers.get("server"))
    return last


def received_bodies(trace: Path, method: str) -> list[str]:
    """The bodies of the `method` requests SIPp received (the tests compare SDP end to end with them)."""
    return _bodies(trace, method, "received")


def sent_bodies(trace: Path, method: str) -> list[str]:
    """The bodies of the `method` requests SIPp sent."""
    return _bodies(trace, method, "sent")


def _bodies(trace: Path, method: str, direction: str) -> list[str]:
    bodies = []
    for heading, message in _messages(trace):
        if direction in heading and message.startswith(f"{method} "):
            _, _, body = message.replace("\r\n", "\n").partition("\n\n")
            bodies.append(body.strip())
    return bodies
