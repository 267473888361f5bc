"""A call end's SIP/TLS side: a Kamailio in front of SIPp (which speaks no TLS), rendered from
front.cfg.j2 into a private folder and run in the foreground under its own PID."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import jinja2

from vardmote.core.ports import tcp_port_answers
from vardmote.verify.sip.processes import Program, SipToolError, require

TEMPLATE = Path(__file__).with_name("front.cfg.j2")


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path
    key: Path
    ca: Path

    def check(self) -> None:
        for label, path in (("certificate", self.certificate), ("key", self.key), ("CA", self.ca)):
            if not path.is_file():
                raise SipToolError(f"the TLS {label} {path} does not exist")


@dataclass(frozen=True)
class FrontSettings:
    """Where the end listens and where its calls go. `name` is the Server header of its own replies."""

    name: str
    tls_address: str
    tls_port: int
    inner_address: str
    inner_port: int
    uas_port: int
    gateway: str
    tls: TlsFiles
    challenge: Literal["proxy", "www"] | None = None
    realm: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    answer_timeout_ms: int = 5000


def kamailio_string(value: str) -> str:
    """`value` as a double-quoted string of Kamailio's configuration language."""
    if "\n" in value or "\r" in value:
        raise SipToolError("a value for Kamailio's configuration must be one line")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(settings: FrontSettings, folder: Path) -> Path:
    """kamailio.cfg and tls.cfg in `folder` (mode 0600: the config may hold the trunk's password)."""
    settings.tls.check()
    if settings.challenge and not (settings.username and settings.password and settings.realm):
        raise SipToolError(f"{settings.name}: a digest challenge needs a realm, a username and a password")
    tls_config = folder / "tls.cfg"
    config = folder / "kamailio.cfg"
    tls_text = (
        "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
        f"certificate = {settings.tls.certificate}\nprivate_key = {settings.tls.key}\nca_list = {settings.tls.ca}\n\n"
        "[client:default]\nmethod = TLSv1.2+\nverify_certificate = yes\nrequire_certificate = yes\n"
        f"ca_list = {settings.tls.ca}\n"
    )
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    text = environment.from_string(TEMPLATE.read_text()).render(
        name=settings.name,
        tls_address=settings.tls_address,
        tls_port=settings.tls_port,
        inner_address=settings.inner_address,
        inner_port=settings.inner_port,
        uas_address=settings.inner_address,
        uas_port=settings.uas_port,
        gateway=settings.gateway,
        tls_config=tls_config,
        challenge=settings.challenge,
        realm=settings.realm,
        username=settings.username,
        password_literal=kamailio_string(settings.password),
        answer_timeout_ms=settings.answer_timeout_ms,
    )
    for path, content in ((tls_config, tls_text), (config, text)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as output:
            output.write(content)
    return config


def start_front(settings: FrontSettings, folder: Path) -> Program:
    """Kamailio running `settings`, once its TLS socket accepts connections."""
    kamailio = require("kamailio", "kamailio, with kamailio-tls-modules")
    config = render(settings, folder)
    runtime = folder / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    # -DD: in the foreground with its children, so its PID is the one to stop; -E: its log to the log file.
    command = [kamailio, "-DD", "-E", "-f", str(config), "-Y", str(runtime), "-P", str(runtime / "kamailio.pid")]
    program = Program(settings.name, command, folder / "kamailio.log")
    try:
        program.wait_until(
            lambda: tcp_port_answers(settings.tls_address, settings.tls_port),
            10,
            f"its TLS socket {settings.tls_address}:{settings.tls_port}",
        )
    except SipToolError:
        program.stop()
        raise
    return program
