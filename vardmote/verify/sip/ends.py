"""The two ends of a phone call the gateway carries, as the lab plays them:

- the operator end plays the trunk: dial-out calls from the gateway must answer its digest challenge
  before its SIPp answers them, with media at its RTP echo; the dial-in probe calls through it;
- the room end plays a conferencing node's SIP side: it answers what the gateway sends it, with media at
  its RTP echo; the dial-out probe calls through it.

Each end is a Kamailio with TLS toward the gateway (front.py), SIPp answering behind it on loopback UDP,
and an RTP echo (rtp.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from vardmote.verify.sip.front import FrontSettings, TlsFiles, start_front
from vardmote.verify.sip.processes import Program, SipToolError
from vardmote.verify.sip.rtp import RtpEcho
from vardmote.verify.sip.sipp import answer_command

EndKind = Literal["operator", "room"]
SERVER_NAMES: dict[EndKind, str] = {"operator": "vardmote-operator-end", "room": "vardmote-room-end"}


@dataclass(frozen=True)
class EndSettings:
    kind: EndKind
    tls_address: str
    gateway: str
    tls: TlsFiles
    tls_port: int = 5061
    # The echo's address and port, which the end's SDP answers with (0: any free port).
    media_address: str | None = None
    media_port: int = 16000
    # The end's proxy's loopback side (the probe calls through it); SIPp answers on inner_port + 1.
    inner_address: str = "127.0.0.1"
    inner_port: int = 5060
    # The operator end's challenge to dial-out calls.
    challenge: Literal["proxy", "www"] | None = None
    realm: str = ""
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def name(self) -> str:
        return SERVER_NAMES[self.kind]


class RunningEnd:
    """An end running in `folder` (its configuration, logs and SIPp's traces), until stop()."""

    def __init__(self, settings: EndSettings, folder: Path) -> None:
        self.settings, self.folder = settings, folder
        self.echo: RtpEcho | None = None
        self.programs: list[Program] = []

    def start(self) -> RunningEnd:
        settings = self.settings
        if settings.kind == "operator" and settings.challenge is None:
            raise SipToolError("the operator end challenges dial-out calls: give it a challenge (proxy or www)")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            self.echo = RtpEcho(settings.media_address or settings.tls_address, settings.media_port).start()
            answering = Program(
                f"{settings.name} SIPp",
                answer_command(
                    address=settings.inner_address,
                    port=settings.inner_port + 1,
                    rtp_address=self.echo.address,
                    rtp_port=self.echo.port,
                    server=settings.name,
                    trace_folder=self.folder,
                ),
                self.folder / "sipp-answer.log",
            )
            self.programs.append(answering)
            front = FrontSettings(
                name=settings.name,
                tls_address=settings.tls_address,
                tls_port=settings.tls_port,
                inner_address=settings.inner_address,
                inner_port=settings.inner_port,
                uas_port=settings.inner_port + 1,
                gateway=settings.gateway,
                tls=settings.tls,
                challenge=settings.challenge,
                realm=settings.realm,
                username=settings.username,
                password=settings.password,
            )
            self.programs.append(start_front(front, self.folder))
            if settings.password:
                # Kamailio has read it: the password stays in its memory only.
                (self.folder / "kamailio.cfg").unlink()
            answering.wait_until(lambda: True, 1, "its answering socket")
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def proxy(self) -> tuple[str, int]:
        """Where a probe places calls through this end (loopback UDP)."""
        return self.settings.inner_address, self.settings.inner_port

    @property
    def pids(self) -> list[int]:
        return [program.pid for program in self.programs]

    def check_running(self) -> None:
        for program in self.programs:
            if not program.running():
                raise SipToolError(f"{program.name} exited with {program.process.returncode}; see {program.log}")

    def stop(self) -> None:
        for program in reversed(self.programs):
            program.stop()
        if self.echo is not None:
            self.echo.stop()

    def __enter__(self) -> RunningEnd:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
