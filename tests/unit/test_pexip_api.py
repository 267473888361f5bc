"""The Management API client against the lab's strict stand-in; each test names the documented behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from tests.doubles.pexip_api import Fault, RunningApi
from vardmote.platform.pexip.api import Connection, ManagementApi
from vardmote.platform.pexip.protocol import PexipApiError


def client(pexip: RunningApi, password: str | None = None, **overrides: Any) -> ManagementApi:
    return ManagementApi(Connection.from_inputs(pexip.connection(**overrides), password or pexip.state.password))


def test_lists_are_followed_through_meta_next_across_pages(pexip: RunningApi) -> None:
    """Docs: lists are paged (default limit 20) and meta.next names the following page."""
    for index in range(45):
        pexip.state.add("system_location", {"name": f"location-{index:02d}"})
    with client(pexip) as api:
        names = [obj["name"] for obj in api.list("system_location")]
    assert names == [f"location-{index:02d}" for index in range(45)]
    gets = [path for method, path in pexip.state.requests if method == "GET"]
    assert len(gets) == 3
    assert "offset=40" in gets[-1]


def test_find_looks_up_by_unique_name_with_a_filter(pexip: RunningApi) -> None:
    """Docs: no upsert; look an object up by its unique name (`?name=`) before creating it."""
    pexip.state.add("system_location", {"name": "Sundsvall transcoding"})
    with client(pexip) as api:
        found = api.find("system_location", {"name": "Sundsvall transcoding"})
        missing = api.find("system_location", {"name": "Timrå"})
    assert found is not None
    assert found["resource_uri"] == "/api/admin/configuration/v1/system_location/1/"
    assert missing is None
    assert pexip.state.requests[0] == ("GET", "/api/admin/configuration/v1/system_location/?name=Sundsvall+transcoding")


def test_create_returns_the_uri_from_the_location_header(pexip: RunningApi) -> None:
    """Docs: POST answers 201 Created with a Location header naming the new object."""
    with client(pexip) as api:
        uri, response = api.create("system_location", {"name": "Sundsvall edge"})
    assert response.status_code == 201
    assert uri == "/api/admin/configuration/v1/system_location/1/"


def test_every_request_path_ends_with_a_slash(pexip: RunningApi) -> None:
    """Docs: resource paths end with a slash; the stand-in answers 404 to any that does not."""
    with client(pexip) as api:
        uri, _ = api.create("system_location", {"name": "A"})
        api.update(uri, {"mtu": 1400})
        api.get(uri)
        api.delete(uri)
    assert all(path.split("?")[0].endswith("/") for _, path in pexip.state.requests)


def test_secrets_read_back_as_null(pexip: RunningApi) -> None:
    """Docs: write-only fields such as passwords read back as null, so they can never be diffed."""
    pexip.state.add("turn_server", {"name": "turn", "address": "turn.example", "secret_key": "s3cret"})
    with client(pexip) as api:
        obj = api.get("/api/admin/configuration/v1/turn_server/1/")
    assert obj["secret_key"] is None


def test_5xx_is_retried_with_backoff_until_it_succeeds(pexip: RunningApi) -> None:
    """Transient server errors (5xx) are retried with exponential backoff."""
    pexip.state.faults.append(Fault("GET", "/api/admin/configuration/v1/global/", 503, times=2))
    delays: list[float] = []
    api = ManagementApi(
        Connection.from_inputs(pexip.connection(backoff_s=0.5), pexip.state.password), sleep=delays.append
    )
    with api:
        assert api.get("/api/admin/configuration/v1/global/1/")["id"] == 1
    assert delays == [0.5, 1.0]


def test_429_waits_as_long_as_retry_after_says(pexip: RunningApi) -> None:
    """HTTP 429 Too Many Requests: wait the Retry-After seconds, then try again."""
    pexip.state.faults.append(Fault("GET", "/api/admin/configuration/v1/global/", 429, retry_after="3"))
    delays: list[float] = []
    with ManagementApi(Connection.from_inputs(pexip.connection(), pexip.state.password), sleep=delays.append) as api:
        api.get("/api/admin/configuration/v1/global/1/")
    assert delays == [3.0]


def test_persistent_5xx_gives_up_with_a_clear_error(pexip: RunningApi) -> None:
    pexip.state.faults.append(Fault("GET", "/api/admin/configuration/v1/global/", 502, times=99))
    api = ManagementApi(Connection.from_inputs(pexip.connection(retries=2), pexip.state.password), sleep=lambda _: None)
    with api, pytest.raises(PexipApiError) as raised:
        api.get("/api/admin/configuration/v1/global/1/")
    assert str(raised.value) == (
        "Pexip Management API: GET /api/admin/configuration/v1/global/1/: HTTP 502: injected 502"
    )
    assert len(pexip.state.requests) == 3


def test_4xx_is_not_retried_and_says_what_the_api_said(pexip: RunningApi) -> None:
    """Docs: validation errors are 400 with the offending field; retrying cannot help."""
    pexip.state.add("system_location", {"name": "Dup"})
    with client(pexip) as api, pytest.raises(PexipApiError) as raised:
        api.create("system_location", {"name": "Dup"})
    assert raised.value.status == 400
    assert "already exists" in str(raised.value)
    assert len([r for r in pexip.state.requests if r[0] == "POST"]) == 1


def test_wrong_credentials_are_401_without_retry(pexip: RunningApi) -> None:
    """Docs: HTTP Basic authentication; wrong credentials are refused."""
    with client(pexip, password="wrong") as api, pytest.raises(PexipApiError) as raised:
        api.get("/api/admin/configuration/v1/global/1/")
    assert raised.value.status == 401
    assert len(pexip.state.requests) == 1


def test_a_post_that_fails_after_creating_adopts_the_object_instead_of_duplicating(pexip: RunningApi) -> None:
    """A POST is not idempotent: after a 502 the object may exist; look it up by its identity before retrying."""
    pexip.state.faults.append(Fault("POST", "/api/admin/configuration/v1/system_location/", 502, after_commit=True))
    connection = Connection.from_inputs(pexip.connection(), pexip.state.password)
    with ManagementApi(connection, sleep=lambda _: None) as api:
        uri, _ = api.create("system_location", {"name": "Once"}, identity={"name": "Once"})
    assert uri == "/api/admin/configuration/v1/system_location/1/"
    assert len(pexip.state.objects["system_location"]) == 1


def test_tls_is_verified_against_the_configured_ca_bundle(pexip: RunningApi) -> None:
    """TLS verification is on: with the region's CA the API answers; without it, no request goes through."""
    with client(pexip) as api:
        assert api.get("/api/admin/configuration/v1/global/1/")["id"] == 1
    with client(pexip, ca_bundle=None, retries=0) as api, pytest.raises(PexipApiError) as raised:
        api.get("/api/admin/configuration/v1/global/1/")
    assert raised.value.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)


def test_a_connection_that_times_out_is_retried_then_reported(pexip: RunningApi) -> None:
    unreachable: dict[str, Any] = {"url": "https://127.0.0.1:9", "retries": 1, "timeout_s": 0.5}
    with client(pexip, **unreachable) as api, pytest.raises(PexipApiError) as raised:
        api.get("/api/admin/configuration/v1/global/1/")
    assert raised.value.status is None
    assert "ConnectError" in str(raised.value)
