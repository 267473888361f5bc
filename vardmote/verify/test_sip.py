"""The gateway answers SIP OPTIONS over TLS on 5061 (with a certificate that verifies)."""

from __future__ import annotations

import socket
import ssl
import uuid
from pathlib import Path

import pytest

from vardmote.verify.conftest import in_group
from vardmote.verify.model import VerifyHost

SIP_TLS_PORT = 5061


@pytest.mark.parametrize("gateway", in_group("gateway"), ids=lambda host: host.name)
def test_sip_options_over_tls_are_answered(gateway: VerifyHost) -> None:
    context = ssl.create_default_context(cafile=str(Path(gateway.var("vardmote_tls_ca_file"))))
    with (
        socket.create_connection((gateway.address, SIP_TLS_PORT), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=str(gateway.var("vardmote_fqdn"))) as tls,
    ):
        local_address, local_port = tls.getsockname()[:2]
        tag = uuid.uuid4().hex[:10]
        request = (
            f"OPTIONS sip:{gateway.address}:{SIP_TLS_PORT};transport=tls SIP/2.0\r\n"
            f"Via: SIP/2.0/TLS {local_address}:{local_port};branch=z9hG4bK{tag};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:verify@vardmote.invalid>;tag={tag}\r\n"
            f"To: <sip:{gateway.address}>\r\n"
            f"Call-ID: {uuid.uuid4()}@vardmote.invalid\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        tls.sendall(request.encode())
        answer = tls.recv(4096).decode(errors="replace")
    status = answer.splitlines()[0] if answer else "(no answer)"
    assert status.startswith("SIP/2.0 200"), f"{gateway.name}:{SIP_TLS_PORT} answered OPTIONS with {status}"
