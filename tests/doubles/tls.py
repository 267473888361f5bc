"""A throwaway certificate authority and server certificate for TLS test servers on loopback: the
lab's own CA (vardmote/lab/certificates.py), in a folder of the test's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vardmote.lab.certificates import ensure_host_certificate


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # a fixture's type, not a test class

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_pki(directory: Path, host: str = "127.0.0.1") -> TestPki:
    """A CA, and a certificate for `host` (and localhost) signed by it, written as PEM files into `directory`."""
    files = ensure_host_certificate(directory, "server", host, ["localhost"])
    return TestPki(
        Path(files["vardmote_tls_ca_file"]),
        Path(files["vardmote_tls_certificate_file"]),
        Path(files["vardmote_tls_key_file"]),
    )
