"""The Management API stand-in of the lab (vardmote.lab.management_api), run for a test on loopback
over TLS signed by the test CA. The stand-in itself is product code: the lab serves it too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.doubles.tls import TestPki
from vardmote.lab.management_api import (
    NODE_UPLOAD_PATH,
    Fault,
    ManagementApiState,
    RunningApi,
    running_management_api,
)

__all__ = ["NODE_UPLOAD_PATH", "Fault", "ManagementApiState", "RunningApi", "node_fields", "running_pexip"]


def node_fields(system_location: str, **extra: Any) -> dict[str, Any]:
    """A worker_vm's fields as a transcoding node in Sundsvall has them, in `system_location`."""
    return {
        "name": "sundsvall-conf-01",
        "hostname": "sundsvall-conf-01",
        "domain": "video.rvn.example",
        "address": "10.210.10.10",
        "netmask": "255.255.255.0",
        "gateway": "10.210.10.1",
        "system_location": system_location,
        **extra,
    }


@contextmanager
def running_pexip(pki: TestPki) -> Iterator[RunningApi]:
    with running_management_api(pki.cert_file, pki.key_file, pki.ca_file) as api:
        yield api
