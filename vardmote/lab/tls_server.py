"""The lab's HTTPS services (the Management API stand-in, the nodes' upload pages) speak TLS 1.2 and
later with a certificate from the lab's CA, as the platform's own TLS policy asks of every endpoint."""

from __future__ import annotations

import ssl
from pathlib import Path
from socketserver import TCPServer


def serve_over_tls(server: TCPServer, cert_file: Path, key_file: Path) -> None:
    """Wrap `server`'s listening socket in TLS (1.2 or later) with this certificate and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
