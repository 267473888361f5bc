"""The Management API's documented shape, without a transport: resource paths, object ids, errors.

Kept apart from the HTTP client so that declaring Pexip resources (a preview, a policy check) does not
load httpx.
"""

from __future__ import annotations

from urllib.parse import urlsplit

CONFIG_PATH = "/api/admin/configuration/v1/"
STATUS_PATH = "/api/admin/status/v1/"


class PexipApiError(Exception):
    """The API refused or failed a request; the message names method, path and what the API said."""

    def __init__(self, method: str, url: str, status: int | None, detail: str) -> None:
        self.method, self.url, self.status, self.detail = method, url, status, detail
        where = urlsplit(url).path or url
        code = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"Pexip Management API: {method} {where}: {code}: {detail}")


class CaBundleMissing(PexipApiError):
    """The CA file named to verify the Management Node is not there: no wait or retry will help."""


def resource_path(resource: str, object_id: int | str | None = None, status: bool = False) -> str:
    base = STATUS_PATH if status else CONFIG_PATH
    return f"{base}{resource}/" if object_id is None else f"{base}{resource}/{object_id}/"


def object_id_of(uri: str) -> int:
    """The numeric id at the end of a resource URI such as /api/admin/configuration/v1/worker_vm/7/."""
    return int(uri.rstrip("/").rsplit("/", 1)[-1])
