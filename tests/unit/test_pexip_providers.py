"""The dynamic providers against the lab's strict Management API stand-in, called as the engine calls
them: check, then create, diff, update, read and delete, through the real client over real HTTPS.

Pulumi does not call dynamic providers under the mock runtime, so these sequences are where their
behaviour is proven.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import pytest
from pulumi.dynamic import CheckResult, ConfigureRequest, CreateResult, ReadResult
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from tests.doubles.pexip_api import NODE_UPLOAD_PATH, Fault, RunningApi, node_fields
from vardmote.platform.pexip.protocol import PexipApiError
from vardmote.platform.pexip.providers import (
    ConferencingNodeRegistrationProvider,
    ConfigurationObjectProvider,
    ExistingObjectError,
    GlobalSettingsProvider,
    ManagementApiReadyProvider,
)

CONFIG = "/api/admin/configuration/v1/"
LOCATIONS = f"{CONFIG}system_location/"


def configured(provider_class: type[Any], pexip: RunningApi) -> Any:
    """A provider as the engine sets it up: configured with the stack's config, which holds the password."""
    provider = provider_class()
    provider.configure(ConfigureRequest(Config({"vardmote:pexipPassword": pexip.state.password}, "vardmote")))
    return provider


def props(pexip: RunningApi, resource: str, fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    identity = {"dns_server": ["address"], "ntp_server": ["address"]}.get(resource, ["name"])
    return {
        "connection": pexip.connection(),
        "resource": resource,
        "identity": identity,
        "fields": fields,
        "secrets": {},
        **extra,
    }


def location(pexip: RunningApi, name: str = "Sundsvall transcoding", **fields: Any) -> dict[str, Any]:
    return props(pexip, "system_location", {"name": name, "mtu": 1500, **fields})


def outs_of(result: CreateResult | ReadResult) -> dict[str, Any]:
    assert result.outs is not None
    return result.outs


def writes(pexip: RunningApi) -> list[tuple[str, str]]:
    return [(method, path.split("?")[0]) for method, path in pexip.state.requests if method != "GET"]


def admin_client(pexip: RunningApi) -> httpx.Client:
    """Requests straight to the API, as an administrator would make them."""
    tls = ssl.create_default_context(cafile=str(pexip.ca_file))
    return httpx.Client(base_url=pexip.url, verify=tls, auth=(pexip.state.username, pexip.state.password))


def checked(provider: Any, news: dict[str, Any]) -> dict[str, Any]:
    result: CheckResult = provider.check({}, news)
    assert result.failures == []
    return dict(result.inputs)


class TestCheck:
    def test_inputs_the_api_would_refuse_fail_before_the_engine_plans(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        news = props(
            pexip,
            "gateway_routing_rule",
            {"name": "PC", "priority": 999, "match_string": ".*", "outgoing_protocol": "webrtc", "bogus": 1},
        )
        failures = {f.property: f.reason for f in provider.check({}, news).failures}
        assert failures == {
            "fields.priority": "999 is above the maximum 200",
            "fields.outgoing_protocol": "'webrtc' is not one of: h323, mssip, sip, rtmp, gms, teams",
            "fields.bogus": "'bogus' is not a field of gateway_routing_rule",
        }
        assert pexip.state.requests == []  # nothing reached the API

    def test_a_missing_required_field_and_an_unknown_resource_fail(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        failures = provider.check({}, props(pexip, "identity_provider", {"name": "BankID"})).failures
        assert {f.property for f in failures} == {"fields.uuid", "fields.assertion_consumer_service_url"}
        unknown = provider.check({}, props(pexip, "no_such_resource", {"name": "x"})).failures
        assert [f.reason for f in unknown] == ["the Management API has no resource 'no_such_resource'"]

    def test_a_reference_the_preview_does_not_know_yet_passes_but_a_wrong_one_beside_it_fails(
        self, pexip: RunningApi
    ) -> None:
        """In a preview the engine hands the provider an Unknown where another new object's URI will be."""
        provider = configured(ConfigurationObjectProvider, pexip)
        news = location(pexip, dns_servers=[Unknown()], ntp_servers=["not-a-uri"])  # type: ignore[no-untyped-call]
        failures = {f.property: f.reason for f in provider.check({}, news).failures}
        assert set(failures) == {"fields.ntp_servers"}
        assert isinstance(provider.check({}, news).inputs["fields"]["dns_servers"][0], Unknown)

    def test_the_engines_doubles_become_integers_the_strict_api_accepts(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        engine_sent = location(pexip, mtu=1500.0)  # the engine sends every number as a double
        inputs = checked(provider, engine_sent)
        assert inputs["fields"]["mtu"] == 1500
        assert isinstance(inputs["fields"]["mtu"], int)
        provider.create(inputs)
        assert pexip.state.objects["system_location"][1]["mtu"] == 1500
        # What check() returns crosses the wire again, so create, update and delete get doubles too.
        second = provider.create(location(pexip, "Örnsköldsvik transcoding", mtu=1500.0))
        provider.update(second.id, second.outs, {**second.outs, "fields": {**second.outs["fields"], "mtu": 1400.0}})
        assert pexip.state.objects["system_location"][2]["mtu"] == 1400
        # Sent as they came, the API refuses them.
        with admin_client(pexip) as client:
            refused = client.patch(second.id, json={"mtu": 1500.0})
        assert refused.status_code == 400
        assert "expected an integer, got float" in refused.text


class TestConfigurationObject:
    def test_create_posts_a_new_object_and_its_id_is_its_uri(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        result = provider.create(checked(provider, location(pexip)))
        assert result.id == f"{LOCATIONS}1/"
        assert outs_of(result)["uri"] == f"{LOCATIONS}1/"
        assert writes(pexip) == [("POST", LOCATIONS)]

    def test_an_existing_object_of_the_same_identity_is_not_adopted(self, pexip: RunningApi) -> None:
        pexip.state.add("system_location", {"name": "Sundsvall transcoding", "mtu": 1400})
        provider = configured(ConfigurationObjectProvider, pexip)
        with pytest.raises(ExistingObjectError, match=r"already exists .* not managed by this stack: import it"):
            provider.create(location(pexip))
        assert writes(pexip) == []
        assert pexip.state.objects["system_location"][1]["mtu"] == 1400

    def test_importing_reads_the_existing_object_as_the_program_declares_it(self, pexip: RunningApi) -> None:
        dns = pexip.state.add("dns_server", {"address": "10.200.0.53", "description": "resolver"})
        location_uri = pexip.state.add("system_location", {"name": "Sundsvall transcoding", "mtu": 1400})
        pexip.state.update("system_location", 1, {"dns_servers": [dns["resource_uri"]]})
        provider = configured(ConfigurationObjectProvider, pexip)
        declared = location(pexip, mtu=1400, dns_servers=[dns["resource_uri"]])
        result = provider.read(location_uri["resource_uri"], declared)  # the engine's Read for `import_`
        assert result.id == f"{LOCATIONS}1/"
        # The API nests the DNS servers on GET; the inputs hold their URIs as the program writes them.
        assert outs_of(result)["fields"] == {
            "name": "Sundsvall transcoding",
            "mtu": 1400,
            "dns_servers": [dns["resource_uri"]],
        }
        assert result.inputs is not None
        assert result.inputs["fields"] == declared["fields"]
        assert writes(pexip) == []

    def test_a_field_the_api_can_change_is_updated_in_place(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        created = provider.create(checked(provider, location(pexip)))
        news = checked(provider, location(pexip, mtu=1400))
        diff = provider.diff(created.id, outs_of(created), news)
        assert (diff.changes, diff.replaces) == (True, [])
        updated = provider.update(created.id, outs_of(created), news)
        assert pexip.state.bodies[-1] == ("PATCH", f"{LOCATIONS}1/", {"mtu": 1400})
        assert updated.outs is not None
        assert updated.outs["uri"] == f"{LOCATIONS}1/"
        assert provider.diff(created.id, updated.outs, news).changes is False

    def test_a_dns_server_is_known_by_its_address_and_keeps_it_across_updates(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        declared = props(pexip, "dns_server", {"address": "10.200.0.53", "description": "one"})
        created = provider.create(checked(provider, declared))
        changed = props(pexip, "dns_server", {"address": "10.200.0.53", "description": "two"})
        diff = provider.diff(created.id, outs_of(created), changed)
        assert (diff.changes, diff.replaces) == (True, [])
        provider.update(created.id, outs_of(created), changed)
        assert pexip.state.objects["dns_server"][1]["description"] == "two"
        # A second declaration of the same address is refused rather than duplicated or adopted.
        with pytest.raises(ExistingObjectError, match=r"dns_server address '10\.200\.0\.53' already exists"):
            provider.create(declared)

    def test_a_field_removed_from_the_program_is_cleared_in_the_api(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        overflow = pexip.state.add("system_location", {"name": "Örnsköldsvik transcoding"})
        created = provider.create(location(pexip, "Sundsvall edge", overflow_location1=overflow["resource_uri"]))
        provider.update(created.id, outs_of(created), location(pexip, "Sundsvall edge"))
        assert pexip.state.objects["system_location"][2]["overflow_location1"] is None
        assert pexip.state.bodies[-1] == ("PATCH", f"{LOCATIONS}2/", {"overflow_location1": None})

    def test_a_renamed_location_is_created_before_the_old_is_deleted_and_its_nodes_move(
        self, pexip: RunningApi
    ) -> None:
        """A new name is a new identity, so a new resource: the engine creates it, updates the
        dependants to its URI, then deletes the old one, which the API allows only once it is unused."""
        provider = configured(ConfigurationObjectProvider, pexip)
        old = provider.create(location(pexip, "Sundsvall"))
        node = pexip.state.add("worker_vm", node_fields(old.id, password="x"))
        with pytest.raises(PexipApiError, match="is in use by worker_vm"):
            provider.delete(old.id, outs_of(old))  # what delete-before-replace would do: refused
        new = provider.create(location(pexip, "Sundsvall transcoding"))
        pexip.state.update("worker_vm", node["id"], {"system_location": new.id})  # the dependant's update
        provider.delete(old.id, outs_of(old))
        assert [obj["name"] for obj in pexip.state.objects["system_location"].values()] == ["Sundsvall transcoding"]
        assert pexip.state.objects["worker_vm"][node["id"]]["system_location"] == new.id

    def test_a_rotated_password_still_deletes_what_the_old_one_created(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        created = provider.create(location(pexip))
        pexip.state.password = "rotated-password"  # regional IT changes it on the Management Node …
        rotated = configured(ConfigurationObjectProvider, pexip)  # … and with `pulumi config set --secret`
        rotated.delete(created.id, outs_of(created))  # the state's inputs hold no password
        assert pexip.state.objects["system_location"] == {}

    def test_delete_removes_and_a_second_delete_is_harmless(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        created = provider.create(location(pexip))
        provider.delete(created.id, outs_of(created))
        provider.delete(created.id, outs_of(created))
        assert pexip.state.objects["system_location"] == {}

    def test_a_refresh_of_an_object_deleted_outside_pulumi_drops_it(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        created = provider.create(location(pexip))
        pexip.state.delete("system_location", 1)
        assert provider.read(created.id, outs_of(created)).id is None

    def test_without_a_password_nothing_is_sent(self, pexip: RunningApi) -> None:
        with pytest.raises(PexipApiError, match="no Management API password: set vardmote:pexipPassword"):
            ConfigurationObjectProvider().create(location(pexip))
        assert pexip.state.requests == []


class TestGlobalSettings:
    def test_create_patches_the_singleton_and_delete_returns_it_to_the_defaults(self, pexip: RunningApi) -> None:
        provider = configured(GlobalSettingsProvider, pexip)
        declared = {
            "connection": pexip.connection(),
            "resource": "global",
            "fields": {"enable_h323": False, "min_pin_length": 6.0, "crypto_mode": "on"},
            "secrets": {},
        }
        created = provider.create(checked(provider, declared))
        assert [method for method, _ in writes(pexip)] == ["PATCH"]
        current = pexip.state.objects["global"][1]
        assert (current["enable_h323"], current["min_pin_length"], current["crypto_mode"]) == (False, 6, "on")
        provider.delete(created.id, outs_of(created))
        reset = pexip.state.objects["global"][1]
        assert (reset["enable_h323"], reset["crypto_mode"]) == (True, "besteffort")  # Pexip's defaults

    def test_the_api_refuses_creating_or_deleting_the_singleton(self, pexip: RunningApi) -> None:
        with admin_client(pexip) as client:
            assert client.post(f"{CONFIG}global/", json={}).status_code == 405
            assert client.delete(f"{CONFIG}global/1/").status_code == 405


class FastReady(ManagementApiReadyProvider):
    sleep = staticmethod(lambda _: None)


class TestManagementApiReady:
    def ready_props(self, pexip: RunningApi, timeout_s: float = 30) -> dict[str, Any]:
        return {"connection": pexip.connection(), "node": "vm-1", "timeout_s": timeout_s}

    def test_waits_with_backoff_until_the_api_answers(self, pexip: RunningApi) -> None:
        pexip.state.faults.append(Fault("GET", f"{CONFIG}global/", 503, times=3))
        configured(FastReady, pexip).create(self.ready_props(pexip))
        assert len([p for m, p in pexip.state.requests if m == "GET"]) == 4

    def test_gives_up_after_its_timeout_with_the_last_reason(self, pexip: RunningApi) -> None:
        pexip.state.faults.append(Fault("GET", f"{CONFIG}global/", 503, times=10**6))
        with pytest.raises(PexipApiError, match=r"did not answer within 3 s .*HTTP 503"):
            configured(FastReady, pexip).create(self.ready_props(pexip, timeout_s=3))

    def test_wrong_credentials_stop_at_once(self, pexip: RunningApi) -> None:
        provider = configured(FastReady, pexip)
        provider.password = "wrong"
        with pytest.raises(PexipApiError, match="HTTP 401"):
            provider.create(self.ready_props(pexip))
        assert len(pexip.state.requests) == 1

    def test_a_missing_ca_bundle_stops_at_once_naming_the_setting(self, pexip: RunningApi, tmp_path: Any) -> None:
        props = {**self.ready_props(pexip), "connection": pexip.connection(ca_bundle=str(tmp_path / "no-ca.pem"))}
        with pytest.raises(
            PexipApiError, match=r"no CA bundle at .*no-ca\.pem \(vardmote:platform\.pexip\.ca_bundle\)"
        ):
            configured(FastReady, pexip).create(props)
        assert pexip.state.requests == []  # nothing sent, and no waiting

    def test_a_new_management_node_vm_is_waited_for_again(self, pexip: RunningApi) -> None:
        provider = configured(FastReady, pexip)
        diff = provider.diff("ready", self.ready_props(pexip), {**self.ready_props(pexip), "node": "vm-2"})
        assert diff.replaces == ["node"]


class FastRegistration(ConferencingNodeRegistrationProvider):
    sleep = staticmethod(lambda _: None)


class BootingNode(httpx.BaseTransport):
    """A freshly deployed generic VM's upload page: refuses connections while it boots, then hands
    what it is given to the Management API stand-in, as a node that took its configuration would."""

    def __init__(self, pexip: RunningApi, boots_after: int = 0) -> None:
        self.pexip, self.refusals_left = pexip, boots_after
        self.received: list[tuple[str, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refusals_left > 0:
            self.refusals_left -= 1
            raise httpx.ConnectError("connection refused", request=request)
        body = request.read()
        self.received.append((request.url.path, request.headers["content-type"], body))
        accepted = self.pexip.state.node_received(body)
        return httpx.Response(200 if accepted else 400)


def node(pexip: RunningApi, timeout_s: float = 5, **fields: Any) -> dict[str, Any]:
    location_uri = pexip.state.find("system_location", name="Sundsvall transcoding") or [
        pexip.state.add("system_location", {"name": "Sundsvall transcoding"})
    ]
    return props(
        pexip,
        "worker_vm",
        node_fields(
            location_uri[0]["resource_uri"],
            **{"node_type": "CONFERENCING", "vm_cpu_count": 4, "vm_system_memory": 4096, **fields},
        ),
        secrets={"password": "node-secret"},
        bootstrap={
            "vm": "vm-1",
            "node_address": "10.210.10.10",
            "upload_port": 8443,
            "upload_path": NODE_UPLOAD_PATH,
            "verify_tls": False,
            "timeout_s": timeout_s,
            "poll_interval_s": 0.01,
        },
    )


@pytest.fixture
def registration(pexip: RunningApi, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, BootingNode]:
    booting = BootingNode(pexip, boots_after=3)
    monkeypatch.setattr(FastRegistration, "upload_transport", booting)
    return configured(FastRegistration, pexip), booting


class TestConferencingNodeRegistration:
    def test_registers_hands_the_xml_to_the_booting_vm_and_waits_until_synced(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, booting = registration
        result = provider.create(checked(provider, node(pexip)))
        assert outs_of(result)["sync_status"] == "SYNCED"
        assert result.id == f"{CONFIG}worker_vm/1/"
        # Refused three times while the VM booted, then taken: the bootstrap is the API's XML document.
        ((path, content_type, body),) = booting.received
        assert path == NODE_UPLOAD_PATH
        assert content_type.startswith("multipart/form-data")
        assert b"<?xml" in body
        assert b"<conferencing_node_config>" in body
        # The document is not kept: only its fingerprint is in the outputs.
        token = next(iter(pexip.state.bootstrap_tokens))
        assert token not in str(outs_of(result))
        assert len(outs_of(result)["bootstrap_sha256"]) == 64
        assert pexip.state.objects["worker_vm"][1]["password"] == "node-secret"

    def test_a_node_that_never_syncs_leaves_no_orphan_and_the_next_run_starts_afresh(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, _ = registration
        pexip.state.polls_until_synced = 10**6  # the node never comes up
        with pytest.raises(PexipApiError, match=r"did not reach SYNCED within 0\.3 s .*worker_vm was removed"):
            provider.create(node(pexip, timeout_s=0.3))
        assert pexip.state.objects["worker_vm"] == {}
        pexip.state.polls_until_synced = 1
        result = provider.create(node(pexip))
        assert result.id == f"{CONFIG}worker_vm/2/"
        assert list(pexip.state.objects["worker_vm"]) == [2]

    def test_a_vm_that_never_takes_its_configuration_leaves_no_orphan(
        self, pexip: RunningApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(FastRegistration, "upload_transport", BootingNode(pexip, boots_after=10**6))
        provider = configured(FastRegistration, pexip)
        with pytest.raises(PexipApiError, match=r"did not take its bootstrap configuration in time .*ConnectError"):
            provider.create(node(pexip, timeout_s=0.5))
        assert pexip.state.objects["worker_vm"] == {}

    def test_an_existing_node_of_the_same_name_is_not_taken_over(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, _ = registration
        pexip.state.add("worker_vm", {**node(pexip)["fields"], "password": "someone-elses"})
        with pytest.raises(ExistingObjectError, match="worker_vm name 'sundsvall-conf-01' already exists"):
            provider.create(node(pexip))

    def test_a_new_address_replaces_the_node_deleting_first_because_its_name_is_unique(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, _ = registration
        created = provider.create(node(pexip))
        diff = provider.diff(created.id, outs_of(created), node(pexip, address="10.210.10.20"))
        assert diff.replaces == ["fields.address"]
        assert diff.delete_before_replace is True

    def test_a_new_vm_gets_a_new_registration(self, pexip: RunningApi, registration: tuple[Any, BootingNode]) -> None:
        provider, _ = registration
        created = provider.create(node(pexip))
        news = node(pexip)
        news["bootstrap"]["vm"] = "vm-2"
        assert provider.diff(created.id, outs_of(created), news).replaces == ["bootstrap.vm"]

    def test_a_refresh_reads_the_node_and_its_sync_status_without_a_change(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, _ = registration
        declared = checked(provider, node(pexip))
        created = provider.create(declared)
        refreshed = provider.read(created.id, outs_of(created))
        assert outs_of(refreshed)["sync_status"] == "SYNCED"
        assert refreshed.inputs is not None
        assert refreshed.inputs["fields"] == declared["fields"]
        assert provider.diff(created.id, outs_of(created), refreshed.inputs).changes is False

    def test_resizing_a_node_is_an_update_in_place(
        self, pexip: RunningApi, registration: tuple[Any, BootingNode]
    ) -> None:
        provider, _ = registration
        created = provider.create(node(pexip))
        news = node(pexip, vm_cpu_count=8, vm_system_memory=8192)
        diff = provider.diff(created.id, outs_of(created), news)
        assert (diff.changes, diff.replaces) == (True, [])
        provider.update(created.id, outs_of(created), news)
        stored = pexip.state.objects["worker_vm"][1]
        assert (stored["vm_cpu_count"], stored["vm_system_memory"]) == (8, 8192)


class TestLicence:
    def test_activating_and_returning_the_licence(self, pexip: RunningApi) -> None:
        provider = configured(ConfigurationObjectProvider, pexip)
        declared = {
            **props(pexip, "licence", {"offline_mode": False}),
            "identity": ["entitlement_id"],
            "secrets": {"entitlement_id": "ABCD-1234"},
        }
        created = provider.create(checked(provider, declared))
        assert created.id.startswith(f"{CONFIG}licence/")
        # The entitlement key is a secret: never in a URL (an access log keeps those), only in the body.
        assert all("ABCD-1234" not in path for _, path in pexip.state.requests)
        with pytest.raises(ExistingObjectError, match=r"licence entitlement_id \[secret\] already exists") as raised:
            provider.create(declared)  # the same entitlement, found without a filter
        assert "ABCD-1234" not in str(raised.value)
        with admin_client(pexip) as client:
            licensing = client.get("/api/admin/status/v1/licensing/").json()["objects"][0]
            assert licensing["port_total"] > 0
            provider.delete(created.id, outs_of(created))
            licensing = client.get("/api/admin/status/v1/licensing/").json()["objects"][0]
        assert licensing["port_total"] == 0
