"""TLS endpoints accept 1.2 and 1.3 with a certificate that verifies, and refuse 1.0 and 1.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from vardmote.verify.model import VerifyHost
from vardmote.verify.tls_client import handshake, refused, verified_context


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1.1"])
def test_old_tls_versions_are_refused(tls_endpoint: tuple[VerifyHost, int], version: str) -> None:
    host, port = tls_endpoint
    negotiated = refused(host.address, port, version)
    assert negotiated is None, f"{host.name}:{port} accepted {negotiated}: only TLS 1.2 and 1.3 are allowed"


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_current_tls_versions_are_accepted_with_a_valid_certificate(
    tls_endpoint: tuple[VerifyHost, int], version: str
) -> None:
    host, port = tls_endpoint
    if version == "TLSv1.3" and port in host.expect.tls_without_1_3:
        pytest.skip(f"{host.name}:{port}: this server software has no TLS 1.3 yet (expectations.yml)")
    context = verified_context(version, Path(host.var("vardmote_tls_ca_file")))
    try:
        negotiated = handshake(host.address, port, context, str(host.var("vardmote_fqdn")))
    except OSError as err:
        pytest.fail(f"{host.name}:{port} refused {version} (or its certificate did not verify): {err}")
    assert negotiated == version
