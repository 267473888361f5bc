"""The Management API schema (management_api.yaml) is complete enough to trust, and every Pexip object
that any stack declares is valid against it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_platform_program import run_stack
from vardmote.platform.config import API_MAX_LENGTH
from vardmote.platform.pexip.api_schema import UNKNOWN, api_schema, field_errors, from_engine
from vardmote.platform.pexip.providers import payload_of
from vardmote.platform.preview import Recording

STACKS = ["lab", "rvn-test", "rvn-prod"]


def test_every_resource_names_both_sources_and_every_field_its_facts() -> None:
    schema = api_schema()
    assert set(schema.root) >= {
        "system_location",
        "dns_server",
        "ntp_server",
        "syslog_server",
        "worker_vm",
        "turn_server",
        "sip_proxy",
        "gateway_routing_rule",
        "identity_provider",
        "identity_provider_group",
        "conference",
        "conference_alias",
        "global",
        "licence",
    }
    for name, resource in schema.root.items():
        assert set(resource.sources) == {"sdk", "terraform"}, name
        for field_name, field in resource.fields.items():
            assert field.source.startswith("sdk "), (name, field_name)
            if field.type in ("reference", "reference_list"):
                assert field.references, (name, field_name)


def test_the_facts_the_program_depends_on_are_the_vendors() -> None:
    schema = api_schema()
    rule = schema.resource("gateway_routing_rule").fields
    assert (rule["priority"].minimum, rule["priority"].maximum) == (1, 200)
    assert rule["outgoing_protocol"].enum == ["h323", "mssip", "sip", "rtmp", "gms", "teams"]
    assert "name" not in schema.resource("dns_server").fields  # a DNS server has only an address
    worker = schema.resource("worker_vm").fields
    assert worker["name"].max_length == 32
    assert worker["password"].write_only
    assert {n for n, f in worker.items() if f.immutable} >= {"address", "netmask", "gateway", "hostname", "domain"}
    assert schema.resource("system_location").fields["dns_servers"].nested_on_get
    assert schema.resource("global").kind == "singleton"


def test_the_limits_the_config_checks_are_the_apis() -> None:
    for (resource, field), limit in API_MAX_LENGTH.items():
        assert api_schema().resource(resource).fields[field].max_length == limit, (resource, field)


def test_values_from_the_engine_become_the_apis_types() -> None:
    assert from_engine("system_location", {"mtu": 1500.0, "name": "x"}) == {"mtu": 1500, "name": "x"}
    assert field_errors("system_location", {"name": "x", "mtu": 1500.0}, creating=True) == {
        "mtu": ["expected an integer, got float"]
    }


def _as_engine_sees_it(value: Any) -> Any:
    """The preview shows values not known until `pulumi up` as [unknown] and secrets as [secret]."""
    if value == "[unknown]":
        return UNKNOWN
    if value == "[secret]":
        return "a-secret-value"
    if isinstance(value, list):
        return [_as_engine_sees_it(item) for item in value]
    return value


@pytest.fixture(scope="module", params=STACKS)
def recording(request: pytest.FixtureRequest) -> Recording:
    return run_stack(request.param)


def test_every_pexip_object_a_stack_declares_is_valid_against_the_schema(recording: Recording) -> None:
    by_urn = {r.urn: r for r in recording.resources}
    checked = 0
    for resource in recording.resources:
        if not resource.type.startswith("pulumi-python:dynamic/pexip:") or "resource" not in resource.inputs:
            continue
        kind = resource.inputs["resource"]
        payload = {key: _as_engine_sees_it(value) for key, value in payload_of(resource.inputs).items()}
        assert field_errors(kind, payload, creating=kind != "global") == {}, resource.name
        # A reference not yet known must come from a resource of the kind it names.
        fields = api_schema().resource(kind).fields
        for name, value in payload.items():
            target = fields[name].references
            if target and UNKNOWN in (value if isinstance(value, list) else [value]):
                kinds = {by_urn[d].inputs.get("resource") for d in resource.dependencies if d in by_urn}
                assert target in kinds, (resource.name, name, kinds)
        for name in resource.inputs.get("identity") or []:
            assert name in payload, (resource.name, name)
        checked += 1
    # One TURN server per relay for UDP and one for TLS on 443: lab 1 relay, rvn-test and rvn-prod 2.
    expected = {"lab": 17, "rvn-test": 29, "rvn-prod": 43}[recording.stack]
    assert checked == expected


def test_every_pexip_object_waits_for_the_licensed_management_node(recording: Recording) -> None:
    pexip = [r for r in recording.resources if r.type.startswith("pulumi-python:dynamic/pexip:")]
    licence = [r for r in pexip if r.name == "licence"]
    (licence_resource,) = licence
    ready = next(r for r in pexip if r.name == "management-api-ready")
    assert ready.urn in licence_resource.dependencies
    for resource in pexip:
        if resource not in (licence_resource, ready):
            assert licence_resource.urn in resource.dependencies, resource.name


def test_an_edge_nodes_static_nat_address_is_the_vendors_field_and_checked_as_an_address(
    recording: Recording,
) -> None:
    field = api_schema().resource("worker_vm").fields["static_nat_address"]
    assert (field.type, field.format, field.nullable) == ("string", "ip_address", True)
    assert field.source.startswith("sdk WorkerVM.static_nat_address *string; terraform optional, IPAddress()")
    registrations = [r for r in recording.resources if r.type.endswith("pexip:ConferencingNodeRegistration")]
    edge = [r.inputs["fields"] for r in registrations if r.inputs["fields"]["node_type"] == "PROXYING"]
    transcoding = [r.inputs["fields"] for r in registrations if r.inputs["fields"]["node_type"] == "CONFERENCING"]
    assert all("static_nat_address" not in fields for fields in transcoding)  # no NAT between the nodes
    assert edge
    assert all(fields["static_nat_address"] for fields in edge)
    assert len({fields["static_nat_address"] for fields in edge}) == len(edge)
    valid = {**edge[0], "system_location": "/api/admin/configuration/v1/system_location/1/", "password": "x"}
    assert field_errors("worker_vm", valid, creating=True) == {}
    assert "static_nat_address" in field_errors("worker_vm", {**valid, "static_nat_address": "edge-01"}, creating=True)
