"""A throwaway certificate authority and server certificates for TLS test servers: the lab's own CA
(vardmote/lab/certificates.py), in a folder of the test's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vardmote.lab.certificates import ensure_host_certificate


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # a fixture's type, not a test class

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_pki(
    directory: Path, host: str = "127.0.0.1", names: Sequence[str] = ("localhost",), label: str = "server"
) -> TestPki:
    """A CA in `directory` (made on first use), and a certificate `label`.pem for the address `host` and
    `names` signed by it; several labels in one directory share the CA."""
    files = ensure_host_certificate(directory, label, host, list(names))
    return TestPki(
        Path(files["vardmote_tls_ca_file"]),
        Path(files["vardmote_tls_certificate_file"]),
        Path(files["vardmote_tls_key_file"]),
    )
