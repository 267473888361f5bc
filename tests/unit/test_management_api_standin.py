"""The lab's Management API stand-in refuses what the real API refuses, over plain HTTP requests as
any client would send them (a test written against it must fail against a sloppy client)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.doubles.pexip_api import RunningApi, node_fields
from tests.doubles.tls import TestPki

CONFIG = "/api/admin/configuration/v1/"


@pytest.fixture
def api(pexip: RunningApi) -> Iterator[httpx.Client]:
    tls = ssl.create_default_context(cafile=str(pexip.ca_file))
    with httpx.Client(base_url=pexip.url, verify=tls, auth=(pexip.state.username, pexip.state.password)) as client:
        yield client


def post(api: httpx.Client, resource: str, body: object) -> httpx.Response:
    return api.post(f"{CONFIG}{resource}/", json=body)


def made(api: httpx.Client, resource: str, body: object) -> str:
    response = post(api, resource, body)
    assert response.status_code == 201, response.text
    return httpx.URL(response.headers["Location"]).path


def test_an_unknown_field_and_a_bad_address_are_400_naming_each_field(api: httpx.Client) -> None:
    response = post(api, "dns_server", {"bogus": 1, "address": "not-an-ip"})
    assert response.status_code == 400
    assert response.json() == {
        "dns_server": {
            "bogus": ["'bogus' is not a field of dns_server"],
            "address": ["'not-an-ip' is not an IP address"],
        }
    }


def test_values_outside_the_apis_range_and_enum_are_refused(api: httpx.Client) -> None:
    rule = {"name": "PC", "priority": 999, "match_string": ".*", "outgoing_protocol": "webrtc"}
    response = post(api, "gateway_routing_rule", rule)
    assert response.status_code == 400
    assert set(response.json()["gateway_routing_rule"]) == {"priority", "outgoing_protocol"}
    too_long = post(api, "worker_vm", {"name": "x" * 33})
    assert "longer than 32 characters" in too_long.json()["worker_vm"]["name"][0]


def test_a_missing_required_field_is_refused(api: httpx.Client) -> None:
    response = post(api, "identity_provider", {"name": "BankID"})
    assert response.status_code == 400
    assert response.json()["identity_provider"] == {
        "uuid": ["this field is required"],
        "assertion_consumer_service_url": ["this field is required"],
    }


def test_a_read_only_field_cannot_be_written(api: httpx.Client) -> None:
    response = post(
        api, "conference_alias", {"alias": "a", "conference": f"{CONFIG}conference/1/", "creation_time": "x"}
    )
    assert response.json()["conference_alias"]["creation_time"] == ["'creation_time' is read-only"]


def test_an_unknown_resource_and_a_path_without_its_slash_are_404(api: httpx.Client) -> None:
    assert post(api, "no_such_resource", {}).status_code == 404
    assert api.get(f"{CONFIG}system_location").status_code == 404


def test_a_reference_must_name_an_object_that_exists(api: httpx.Client) -> None:
    response = post(api, "system_location", {"name": "Edge", "transcoding_location": f"{CONFIG}system_location/9/"})
    assert response.status_code == 400
    assert response.json()["system_location"]["transcoding_location"] == [f"{CONFIG}system_location/9/ does not exist"]
    wrong_kind = post(api, "system_location", {"name": "Edge", "dns_servers": [f"{CONFIG}ntp_server/1/"]})
    assert "is not a dns_server resource URI" in wrong_kind.json()["system_location"]["dns_servers"][0]


def test_an_object_others_reference_cannot_be_deleted(api: httpx.Client) -> None:
    dns = made(api, "dns_server", {"address": "10.200.0.53"})
    location = made(api, "system_location", {"name": "Sundsvall", "dns_servers": [dns]})
    refused = api.delete(dns)
    assert refused.status_code == 400
    assert f"is in use by system_location {location} (dns_servers)" in refused.json()["error"]
    assert api.delete(location).status_code == 204
    assert api.delete(dns).status_code == 204
    assert api.get(dns).status_code == 404


def test_a_locations_servers_come_back_nested_on_get(api: httpx.Client) -> None:
    dns = made(api, "dns_server", {"address": "10.200.0.53", "description": "resolver"})
    ntp = made(api, "ntp_server", {"address": "ntp1.rvn.example"})
    location = made(api, "system_location", {"name": "Sundsvall", "dns_servers": [dns], "ntp_servers": [ntp]})
    body = api.get(location).json()
    assert body["dns_servers"] == [{"id": 1, "resource_uri": dns, "address": "10.200.0.53", "description": "resolver"}]
    assert body["ntp_servers"][0]["address"] == "ntp1.rvn.example"
    assert body["mtu"] == 1500  # the documented default, filled in


def test_names_are_unique_and_secrets_read_back_as_null(api: httpx.Client) -> None:
    turn = {"name": "turn", "address": "turn.example", "secret_key": "s3cret", "server_type": "coturn_shared"}
    uri = made(api, "turn_server", turn)
    again = post(api, "turn_server", turn)
    assert again.status_code == 400
    assert again.json() == {"turn_server": {"name": ["turn_server with this Name already exists."]}}
    assert api.get(uri).json()["secret_key"] is None


def test_a_new_worker_vm_answers_with_its_bootstrap_configuration_as_xml(api: httpx.Client) -> None:
    location = made(api, "system_location", {"name": "Sundsvall"})
    node = node_fields(location, password="node-secret")
    response = post(api, "worker_vm", node)
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/xml"
    document = ET.fromstring(response.content)
    assert document.findtext("address") == "10.210.10.10"
    status = api.get("/api/admin/status/v1/worker_vm/1/").json()
    assert status["sync_status"] == "NOT_SYNCED"  # until a VM has been given the document
    assert api.delete(location).status_code == 400  # the node is in it


def test_filtering_by_a_field_the_resource_lacks_is_400(api: httpx.Client) -> None:
    assert api.get(f"{CONFIG}dns_server/", params={"name": "x"}).status_code == 400
    assert api.get(f"{CONFIG}dns_server/", params={"address": "10.0.0.1"}).json()["meta"]["total_count"] == 0


def test_a_patch_is_validated_like_a_post(api: httpx.Client) -> None:
    location = made(api, "system_location", {"name": "Sundsvall"})
    refused = api.patch(location, json={"mtu": 9000})
    assert refused.status_code == 400
    assert refused.json() == {"system_location": {"mtu": ["9000 is above the maximum 1500"]}}
    assert api.patch(location, json={"mtu": 1400}).status_code == 202
    assert api.get(location).json()["mtu"] == 1400


def test_it_runs_as_a_service_over_tls_with_the_password_from_a_file(test_pki: TestPki, tmp_path: Path) -> None:
    """How the lab serves it on its management host: `python -m vardmote.lab.management_api`."""
    password_file = tmp_path / "password"
    password_file.write_text("lab-admin-password\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "vardmote.lab.management_api", "--host", "127.0.0.1", "--port", str(port),
        "--cert", str(test_pki.cert_file), "--key", str(test_pki.key_file), "--password-file", str(password_file),
    ]  # fmt: skip
    service = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        tls = ssl.create_default_context(cafile=str(test_pki.ca_file))
        url = f"https://127.0.0.1:{port}{CONFIG}global/1/"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(url, verify=tls, auth=("admin", "lab-admin-password"))
                break
            except httpx.TransportError:
                assert service.poll() is None, service.stderr.read() if service.stderr else ""
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.json()["crypto_mode"] == "besteffort"
        assert httpx.get(url, verify=tls, auth=("admin", "wrong")).status_code == 401
    finally:
        service.terminate()
        service.wait(timeout=10)
