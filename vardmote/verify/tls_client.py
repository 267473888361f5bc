"""TLS handshakes from this machine with one protocol version at a time."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

HANDSHAKE_TIMEOUT_S = 5.0

VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
# What this machine's OpenSSL says when it cannot offer a version itself: then the server was never asked.
_CLIENT_CANNOT_OFFER = ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "no protocols available")


class ClientCannotOffer(Exception):
    """This machine's OpenSSL cannot offer the version: the check could not ask the server."""


def legacy_context(version: str) -> ssl.SSLContext:
    """A client that offers only `version`, with every cipher OpenSSL has (so an old server could accept)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = VERSIONS[version]
    return context


def verified_context(version: str, ca_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file))
    context.minimum_version = context.maximum_version = VERSIONS[version]
    return context


def handshake(address: str, port: int, context: ssl.SSLContext, server_name: str | None) -> str:
    """The negotiated version; raises ssl.SSLError (or OSError) when the server refuses."""
    with (
        socket.create_connection((address, port), timeout=HANDSHAKE_TIMEOUT_S) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        return str(tls.version())


def refused(address: str, port: int, version: str) -> str | None:
    """None when the server refuses `version`; otherwise what it negotiated."""
    try:
        return handshake(address, port, legacy_context(version), None)
    except ssl.SSLError as err:
        if any(marker in str(err) for marker in _CLIENT_CANNOT_OFFER):
            raise ClientCannotOffer(f"this machine's OpenSSL cannot offer {version}: {err}") from err
        return None
    except (ConnectionResetError, BrokenPipeError, TimeoutError):
        return None  # reset, or the server never answered the hello: either way the version was not accepted
