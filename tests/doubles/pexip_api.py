"""The Management API stand-in of the lab (vardmote.lab.management_api), run for a test on loopback
over TLS signed by the test CA. The stand-in itself is product code: the lab serves it too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.doubles.tls import TestPki
from vardmote.lab.management_api import (
    NODE_UPLOAD_PATH,
    Fault,
    ManagementApiState,
    RunningApi,
    running_management_api,
)

__all__ = ["NODE_UPLOAD_PATH", "Fault", "ManagementApiState", "RunningApi", "running_pexip"]


@contextmanager
def running_pexip(pki: TestPki) -> Iterator[RunningApi]:
    with running_management_api(pki.cert_file, pki.key_file, pki.ca_file) as api:
        yield api
