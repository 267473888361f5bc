"""RTP (RFC 3550) as the call probes use it: a talker that sends a stream and counts what comes back,
and an echo that sends each packet back to where it came from, telling in it how many it has received.

The echo's count is what makes both directions measured: the talker knows what it sent and what came
back, and each echoed packet carries how many of the talker's packets the far end had received by then.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

RTP_VERSION = 2
PCMU = 0
# 20 ms of 8 kHz G.711 per packet, as a phone sends it.
PACKET_INTERVAL_S = 0.02
SAMPLES_PER_PACKET = 160
HEADER = struct.Struct("!BBHII")
# The first bytes of a probe's payload: a marker, then (in an echo) the far end's count so far.
TALK_MARK = b"VMTK"
ECHO_MARK = b"VMEC"
COUNT = struct.Struct("!I")


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes

    def encode(self) -> bytes:
        return HEADER.pack(RTP_VERSION << 6, self.payload_type & 0x7F, self.sequence, self.timestamp, self.ssrc) + (
            self.payload
        )

    @classmethod
    def decode(cls, data: bytes) -> RtpPacket | None:
        """The packet, or None for anything that is not RTP version 2 (a stray datagram, STUN, RTCP)."""
        if len(data) < HEADER.size:
            return None
        first, second, sequence, timestamp, ssrc = HEADER.unpack_from(data)
        payload_type = second & 0x7F
        if first >> 6 != RTP_VERSION or 72 <= payload_type <= 76:  # 72-76: RTCP packet types
            return None
        offset = HEADER.size + 4 * (first & 0x0F)  # CSRC list
        if first & 0x10:  # header extension: 4 bytes of profile and length, then length words
            if len(data) < offset + 4:
                return None
            offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
        if len(data) < offset:
            return None
        return cls(payload_type, sequence, timestamp, ssrc, data[offset:])


@dataclass
class TalkResult:
    """One call's RTP, as the talker measured it."""

    remote: tuple[str, int]
    sent: int = 0
    # Echoed packets of ours that came back (each counted once), from the address we sent to.
    came_back: int = 0
    # How many of ours the far end said it had received (the highest count in its echoes).
    far_end_received: int = 0
    strays: int = 0


def talk(sock: socket.socket, remote: tuple[str, int], count: int, linger_s: float = 0.5) -> TalkResult:
    """Send `count` packets to `remote` at a phone's pace from `sock` (the port the SDP offered, so the
    echo comes back to it), and count what comes back until `linger_s` after the last one."""
    result = TalkResult(remote)
    ssrc = int.from_bytes(TALK_MARK, "big") ^ (id(sock) & 0xFFFFFFFF)
    seen: set[int] = set()
    start = time.monotonic()
    deadline: float | None = None
    sequence = 0
    while True:
        now = time.monotonic()
        if sequence < count and now >= start + sequence * PACKET_INTERVAL_S:
            payload = TALK_MARK + COUNT.pack(sequence) + b"\xff" * (SAMPLES_PER_PACKET - 8)
            sock.sendto(RtpPacket(PCMU, sequence, sequence * SAMPLES_PER_PACKET, ssrc, payload).encode(), remote)
            sequence += 1
            result.sent = sequence
            if sequence == count:
                deadline = time.monotonic() + linger_s
            continue
        if deadline is not None and now >= deadline:
            return result
        wake = deadline if deadline is not None else start + sequence * PACKET_INTERVAL_S
        readable, _, _ = select.select([sock], [], [], max(0.0, wake - now))
        if not readable:
            continue
        data, source = sock.recvfrom(2048)
        packet = RtpPacket.decode(data)
        if (
            packet is None
            or source[:2] != remote
            or not packet.payload.startswith(ECHO_MARK)
            or len(packet.payload) < 12
            or packet.payload[8:12] != TALK_MARK
        ):
            result.strays += 1
            continue
        (their_count,) = COUNT.unpack_from(packet.payload, 4)
        (our_sequence,) = COUNT.unpack_from(packet.payload, 12)
        result.far_end_received = max(result.far_end_received, their_count)
        if our_sequence < count and our_sequence not in seen:
            seen.add(our_sequence)
            result.came_back += 1


@dataclass
class RtpEcho:
    """Sends each RTP packet back to its source (symmetric RTP, as the trunk's and the conferencing
    nodes' media do), its payload led by ECHO_MARK and how many packets that source has sent so far."""

    address: str
    port: int
    received: dict[tuple[str, int], int] = field(default_factory=dict)
    _sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> RtpEcho:
        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        self._sock.bind((self.address, self.port))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"rtp-echo-{self.port}", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._sock is not None
        ssrc = int.from_bytes(ECHO_MARK, "big")
        while not self._stop.is_set():
            readable, _, _ = select.select([self._sock], [], [], 0.2)
            if not readable:
                continue
            data, source = self._sock.recvfrom(2048)
            packet = RtpPacket.decode(data)
            if packet is None:
                continue
            key = (source[0], source[1])
            self.received[key] = self.received.get(key, 0) + 1
            payload = ECHO_MARK + COUNT.pack(self.received[key]) + packet.payload
            echo = RtpPacket(packet.payload_type, packet.sequence, packet.timestamp, ssrc, payload)
            self._sock.sendto(echo.encode(), source)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
