"""A TURN allocation over TLS, as a browser makes one from a network that lets out only 443.

RFC 8656 (TURN) over RFC 8489 (STUN) on a TLS stream: an Allocate request for a UDP relay, answered
401 with the realm and a nonce; the same request again with the REST credentials (username
`<expiry>:<user>`, password base64(HMAC-SHA1(shared secret, username)), as coturn's `use-auth-secret`
takes them) and MESSAGE-INTEGRITY; success carries the XOR-RELAYED-ADDRESS. coturn's own client
(turnutils_uclient) serves the UDP checks; this one speaks TLS the way the platform's TLS policy
allows, with the certificate verified and the TURN realm named in SNI, which is how the edge's port
443 tells TURN from HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import socket
import ssl
import struct
import time
from pathlib import Path

MAGIC_COOKIE = 0x2112A442
ALLOCATE_REQUEST, ALLOCATE_SUCCESS, ALLOCATE_ERROR = 0x0003, 0x0103, 0x0113
USERNAME, MESSAGE_INTEGRITY, ERROR_CODE, REALM, NONCE = 0x0006, 0x0008, 0x0009, 0x0014, 0x0015
REQUESTED_TRANSPORT, XOR_RELAYED_ADDRESS, LIFETIME = 0x0019, 0x0016, 0x000D
UDP_PROTOCOL = 17
CREDENTIAL_LIFETIME_S = 600


class TurnError(Exception):
    """The allocation failed; the message names the step (TLS, the server's answer)."""


def rest_credentials(
    secret: str, user: str, now: float | None = None, lifetime_s: int = CREDENTIAL_LIFETIME_S
) -> tuple[str, str]:
    username = f"{int((now or time.time()) + lifetime_s)}:{user}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


def _attribute(kind: int, value: bytes) -> bytes:
    padding = b"\0" * (-len(value) % 4)
    return struct.pack("!HH", kind, len(value)) + value + padding


def _message(kind: int, transaction: bytes, attributes: bytes, integrity_key: bytes | None) -> bytes:
    if integrity_key is None:
        return struct.pack("!HHI", kind, len(attributes), MAGIC_COOKIE) + transaction + attributes
    # MESSAGE-INTEGRITY covers the message up to itself, with a length that already counts it.
    header = struct.pack("!HHI", kind, len(attributes) + 24, MAGIC_COOKIE) + transaction
    digest = hmac.new(integrity_key, header + attributes, hashlib.sha1).digest()
    return header + attributes + _attribute(MESSAGE_INTEGRITY, digest)


def _read_message(stream: ssl.SSLSocket) -> tuple[int, dict[int, bytes]]:
    header = _read_exactly(stream, 20)
    kind, length, cookie = struct.unpack("!HHI", header[:8])
    if cookie != MAGIC_COOKIE:
        raise TurnError("the server's answer is not a STUN message")
    body = _read_exactly(stream, length)
    attributes: dict[int, bytes] = {}
    offset = 0
    while offset + 4 <= len(body):
        attribute, size = struct.unpack("!HH", body[offset : offset + 4])
        attributes.setdefault(attribute, body[offset + 4 : offset + 4 + size])
        offset += 4 + size + (-size % 4)
    return kind, attributes


def _read_exactly(stream: ssl.SSLSocket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.recv(size - len(data))
        if not chunk:
            raise TurnError("the server closed the connection")
        data += chunk
    return data


def _error_of(attributes: dict[int, bytes]) -> str:
    value = attributes.get(ERROR_CODE, b"\0\0\0\0")
    code = (value[2] & 0x7) * 100 + value[3]
    return f"{code} {value[4:].decode(errors='replace')}".strip()


def _relayed_address(value: bytes) -> str:
    port = struct.unpack("!H", value[2:4])[0] ^ (MAGIC_COOKIE >> 16)
    address = struct.unpack("!I", value[4:8])[0] ^ MAGIC_COOKIE
    return f"{ipaddress.IPv4Address(address)}:{port}"


def allocate_over_tls(
    address: str, port: int, *, server_name: str, ca_file: Path, secret: str, user: str, timeout_s: float = 10
) -> str:
    """Allocate a UDP relay on the TURN server at `address:port` over TLS; return the relayed address."""
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        raw = socket.create_connection((address, port), timeout=timeout_s)
        stream = context.wrap_socket(raw, server_hostname=server_name)
    except ssl.SSLError as err:
        raise TurnError(f"TLS to {address}:{port} as {server_name} failed: {err.reason or err}") from None
    except OSError as err:
        raise TurnError(f"no TCP connection to {address}:{port}: {err.strerror or err}") from None
    with stream:
        transport = _attribute(REQUESTED_TRANSPORT, bytes([UDP_PROTOCOL, 0, 0, 0]))
        stream.sendall(_message(ALLOCATE_REQUEST, os.urandom(12), transport, None))
        kind, attributes = _read_message(stream)
        if kind != ALLOCATE_ERROR or REALM not in attributes or NONCE not in attributes:
            raise TurnError(f"the first Allocate was not asked for credentials (message type {kind:#06x})")
        realm, nonce = attributes[REALM], attributes[NONCE]
        username, password = rest_credentials(secret, user)
        key = hashlib.md5(username.encode() + b":" + realm + b":" + password.encode()).digest()
        signed = transport + _attribute(USERNAME, username.encode()) + _attribute(REALM, realm)
        signed += _attribute(NONCE, nonce)
        stream.sendall(_message(ALLOCATE_REQUEST, os.urandom(12), signed, key))
        kind, attributes = _read_message(stream)
        if kind != ALLOCATE_SUCCESS:
            raise TurnError(f"the Allocate with credentials was refused: {_error_of(attributes)}")
        if XOR_RELAYED_ADDRESS not in attributes:
            raise TurnError("the Allocate succeeded without a relayed address")
        return _relayed_address(attributes[XOR_RELAYED_ADDRESS])
