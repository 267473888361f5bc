"""coturn in a test's network namespace, as the platform's TURN server runs it: REST credentials from a
shared secret (`use-auth-secret`), TLS 1.2 or later with a certificate of the test's CA, and, when the
test asks for it, plain UDP too. Its configuration file holds the secret, so it is readable by its
owner only and removed when the server is.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.doubles.tls import TestPki
from tests.integration.netns_harness import Namespace
from vardmote.verify.sip.processes import Program

STUN_MAGIC_COOKIE = 0x2112A442


@dataclass(frozen=True)
class CoturnSettings:
    address: str
    realm: str
    secret: str = field(repr=False)
    pki: TestPki
    tls_port: int = 443
    # None: no plain listener at all (neither UDP nor TCP), TLS on `tls_port` only.
    udp_port: int | None = None
    # allowed-peer-ip=… / denied-peer-ip=… lines: where the relay may send.
    peer_rules: tuple[str, ...] = ()


def coturn_config(settings: CoturnSettings, folder: Path) -> Path:
    """turnserver.conf for `settings` in `folder` (mode 0600), with its own pid file and (empty) user
    database there, not the machine's /var/lib/turn/turndb; it logs to stdout."""
    plain = ["no-udp", "no-tcp"] if settings.udp_port is None else [f"listening-port={settings.udp_port}"]
    lines = [
        f"listening-ip={settings.address}",
        f"relay-ip={settings.address}",
        *plain,
        f"tls-listening-port={settings.tls_port}",
        "no-dtls",
        "min-port=49152",
        "max-port=49251",
        f"cert={settings.pki.cert_file}",
        f"pkey={settings.pki.key_file}",
        "no-tlsv1",
        "no-tlsv1_1",
        "use-auth-secret",
        f"static-auth-secret={settings.secret}",
        f"realm={settings.realm}",
        "fingerprint",
        "no-cli",
        "no-multicast-peers",
        "no-software-attribute",
        *settings.peer_rules,
        f"pidfile={folder / 'turnserver.pid'}",
        f"userdb={folder / 'turndb'}",
        "log-file=stdout",
        "simple-log",
    ]
    config = folder / "turnserver.conf"
    config.touch(mode=0o600)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _answers_stun(address: str, port: int) -> bool:
    """A STUN Binding request over UDP gets its answer (call inside the namespace)."""
    binding = struct.pack("!HHI", 0x0001, 0, STUN_MAGIC_COOKIE) + os.urandom(12)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(0.3)
            udp.sendto(binding, (address, port))
            return udp.recv(2048)[8:20] == binding[8:20]
    except OSError:
        return False


@contextmanager
def running_coturn(namespace: Namespace, settings: CoturnSettings, folder: Path) -> Iterator[Program]:
    """coturn in `namespace` once it takes TLS connections (and answers STUN over UDP, if it has UDP);
    its output in `folder`/turnserver.log. Stopped by its process group when the block ends, and its
    configuration removed."""
    config = coturn_config(settings, folder)

    def answering() -> bool:
        if not namespace.listening(settings.address, settings.tls_port):
            return False
        if settings.udp_port is None:
            return True
        with namespace.inside():
            return _answers_stun(settings.address, settings.udp_port)

    try:
        with namespace.running(
            "turnserver",
            ["turnserver", "-c", str(config)],
            folder / "turnserver.log",
            until=answering,
            what=f"TLS on {settings.address}:{settings.tls_port}"
            + ("" if settings.udp_port is None else f" and STUN on UDP {settings.udp_port}"),
        ) as program:
            yield program
    finally:
        config.unlink(missing_ok=True)
