"""A small client for the Pexip Infinity Management API, written to the documented behaviour.

- Resources live under /api/admin/configuration/v1/<resource>/ and status under /api/admin/status/v1/;
  every path ends with a slash.
- Lists come as {"meta": {limit, offset, total_count, next, previous}, "objects": [...]}; follow meta.next.
- POST answers 201 Created with a Location header naming the new object; PATCH changes some fields;
  DELETE removes an object. There is no upsert: look an object up by what identifies it first (its
  unique name, or for a DNS server its address).
- Foreign keys are resource URIs; write-only secrets (passwords, PINs) read back as null.
- `global` is a singleton at /global/1/, updated only.
- Authentication is HTTP Basic over TLS.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from vardmote.platform.pexip.protocol import CONFIG_PATH, CaBundleMissing, PexipApiError, resource_path

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Connection:
    """Where and how to reach the Management Node. The password comes from a `secure:` config value,
    given apart from the other inputs (see providers.py)."""

    url: str
    username: str
    password: str
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout_s: float = 30.0
    retries: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0

    @classmethod
    def from_inputs(cls, inputs: dict[str, Any], password: str) -> Connection:
        known = set(cls.__dataclass_fields__) - {"password"}
        given = {key: value for key, value in inputs.items() if key in known}
        for key in ("retries",):  # the engine sends every number as a double
            if isinstance(given.get(key), float):
                given[key] = int(given[key])
        return cls(password=password, **given)

    def ssl_context(self) -> ssl.SSLContext | bool:
        if not self.verify_tls:
            return False
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise CaBundleMissing(
                "-",
                self.url,
                None,
                f"no CA bundle at {self.ca_bundle} (vardmote:platform.pexip.ca_bundle); for the lab stack, "
                "`vardmote lab up` publishes it",
            )
        return ssl.create_default_context(cafile=self.ca_bundle)


class ManagementApi:
    def __init__(
        self,
        connection: Connection,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection = connection
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=connection.url.rstrip("/"),
            auth=(connection.username, connection.password),
            verify=connection.ssl_context(),
            timeout=connection.timeout_s,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ManagementApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- transport with retries ---------------------------------------------------------------

    def request(self, method: str, path: str, *, retry: bool = True, **kwargs: Any) -> httpx.Response:
        """Send one request; retry 429, 5xx and transport failures with exponential backoff."""
        attempts = self.connection.retries + 1 if retry else 1
        last_error: PexipApiError | None = None
        for attempt in range(attempts):
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as err:
                last_error = PexipApiError(method, path, None, f"{type(err).__name__}: {err}")
                delay = self._backoff(attempt, None)
            else:
                if response.status_code < 400:
                    return response
                last_error = PexipApiError(method, str(response.url), response.status_code, _detail(response))
                if response.status_code not in RETRYABLE_STATUS:
                    raise last_error
                delay = self._backoff(attempt, response.headers.get("Retry-After"))
            if attempt + 1 < attempts:
                self._sleep(delay)
        assert last_error is not None
        raise last_error

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(float(retry_after), self.connection.max_backoff_s)
            except ValueError:
                pass
        return float(min(self.connection.backoff_s * 2**attempt, self.connection.max_backoff_s))

    # -- resources ------------------------------------------------------------------------------

    def list(self, resource: str, **filters: str) -> Iterator[dict[str, Any]]:
        """Every object of `resource` matching `filters`, page after page through meta.next."""
        url: str | None = resource_path(resource)
        params: dict[str, str] | None = dict(filters)
        while url is not None:
            page = self.request("GET", url, params=params).json()
            yield from page["objects"]
            following = page["meta"].get("next")
            # meta.next already carries the query string (limit, offset and filters).
            url, params = (urljoin(CONFIG_PATH, following), None) if following else (None, None)

    def find(
        self, resource: str, identity: dict[str, Any], *, secret: frozenset[str] = frozenset()
    ) -> dict[str, Any] | None:
        """The object whose identifying fields have these values (e.g. {"name": …}), or None. Fields in
        `secret` (a licence's entitlement key) are compared here, never sent in a URL's query, which
        access logs keep."""
        filters = {key: _as_filter(value) for key, value in identity.items() if key not in secret}
        matches = [obj for obj in self.list(resource, **filters) if all(obj.get(k) == v for k, v in identity.items())]
        return matches[0] if matches else None

    def create(
        self,
        resource: str,
        fields: dict[str, Any],
        *,
        identity: dict[str, Any] | None = None,
        secret: frozenset[str] = frozenset(),
    ) -> tuple[str, httpx.Response]:
        """POST a new object; return its URI (from Location) and the response.

        A POST is not idempotent: after a 5xx or a lost connection the object may exist anyway,
        so before trying again the object is looked up by its identity and taken as the one this
        POST made, if it is there.
        """
        attempts = self.connection.retries + 1
        for attempt in range(attempts):
            try:
                response = self.request("POST", resource_path(resource), json=fields, retry=False)
            except PexipApiError as err:
                retryable = err.status is None or err.status in RETRYABLE_STATUS
                if not retryable or attempt + 1 == attempts:
                    raise
                self._sleep(self._backoff(attempt, None))
                if err.status != 429 and identity and (found := self.find(resource, identity, secret=secret)):
                    return str(found["resource_uri"]), response_of(found)
                continue
            location = response.headers.get("Location")
            if response.status_code != 201 or not location:
                raise PexipApiError("POST", str(response.url), response.status_code, "expected 201 with Location")
            return urlsplit(location).path, response
        raise AssertionError("unreachable")

    def get(self, uri: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", uri).json()
        return result

    def update(self, uri: str, fields: dict[str, Any]) -> None:
        if fields:
            self.request("PATCH", uri, json=fields)

    def delete(self, uri: str) -> None:
        """Delete an object; one that is already gone counts as deleted."""
        try:
            self.request("DELETE", uri)
        except PexipApiError as err:
            if err.status != 404:
                raise

    def status(self, resource: str, object_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", resource_path(resource, object_id, status=True)).json()
        return result


def _as_filter(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def response_of(found: dict[str, Any]) -> httpx.Response:
    """A stand-in response for an object adopted after an uncertain POST (it carries no body to use)."""
    return httpx.Response(200, json={"adopted": found.get("resource_uri")})


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        # Pexip answers validation errors as {"<resource>": {"<field>": ["message"]}} or {"error": "..."}.
        return str(body.get("error") or body)[:300]
    return str(body)[:300]
