"""The dynamic providers' create/diff/update/delete against the Management API double.

Pulumi does not call dynamic providers under the mock runtime, so they are tested directly here,
through the real client and real HTTPS to the double.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.dynamic import CreateResult, ReadResult

from tests.doubles.pexip_api import BOOTSTRAP_PATH, RunningDouble
from vardmote.platform.pexip.protocol import PexipApiError
from vardmote.platform.pexip.providers import (
    ConferencingNodeRegistrationProvider,
    ConfigurationObjectProvider,
    GlobalSettingsProvider,
)

LOCATIONS = "/api/admin/configuration/v1/system_location/"


def location_props(pexip: RunningDouble, **fields: Any) -> dict[str, Any]:
    return {
        "connection": pexip.connection(),
        "resource": "system_location",
        "name": "Sundsvall transcoding",
        "fields": {"name": "Sundsvall transcoding", "mtu": 1500, **fields},
        "secrets": {},
    }


def outs_of(result: CreateResult | ReadResult) -> dict[str, Any]:
    assert result.outs is not None
    return result.outs


def writes(pexip: RunningDouble) -> list[tuple[str, str]]:
    return [(method, path.split("?")[0]) for method, path in pexip.state.requests if method != "GET"]


class TestConfigurationObject:
    provider = ConfigurationObjectProvider()

    def test_create_posts_a_new_object_and_keeps_its_uri(self, pexip: RunningDouble) -> None:
        result = self.provider.create(location_props(pexip))
        assert result.id == "1"
        assert outs_of(result)["uri"] == f"{LOCATIONS}1/"
        assert pexip.state.objects["system_location"][1]["mtu"] == 1500
        assert writes(pexip) == [("POST", LOCATIONS)]

    def test_create_adopts_an_object_of_the_same_name_and_patches_only_differences(self, pexip: RunningDouble) -> None:
        pexip.state.add("system_location", {"name": "Sundsvall transcoding", "mtu": 1400})
        result = self.provider.create(location_props(pexip))
        assert outs_of(result)["uri"] == f"{LOCATIONS}1/"
        assert writes(pexip) == [("PATCH", f"{LOCATIONS}1/")]
        assert pexip.state.bodies[-1][2] == {"mtu": 1500}

    def test_the_same_inputs_are_a_no_op(self, pexip: RunningDouble) -> None:
        olds = {**location_props(pexip), "uri": f"{LOCATIONS}1/"}
        diff = self.provider.diff("1", olds, location_props(pexip))
        assert diff.changes is False
        assert not diff.replaces

    def test_a_changed_field_is_updated_in_place_with_patch(self, pexip: RunningDouble) -> None:
        created = self.provider.create(location_props(pexip))
        news = location_props(pexip, mtu=1400)
        diff = self.provider.diff(created.id, outs_of(created), news)
        assert diff.changes is True
        assert not diff.replaces
        self.provider.update(created.id, outs_of(created), news)
        assert pexip.state.bodies[-1] == ("PATCH", f"{LOCATIONS}1/", {"mtu": 1400})

    def test_a_new_name_replaces_the_object(self, pexip: RunningDouble) -> None:
        olds = {**location_props(pexip), "uri": f"{LOCATIONS}1/"}
        news = {**location_props(pexip), "name": "Sundsvall internal"}
        news["fields"]["name"] = "Sundsvall internal"
        diff = self.provider.diff("1", olds, news)
        assert diff.replaces == ["name"]
        assert diff.delete_before_replace is True

    def test_secrets_are_diffed_against_the_previous_inputs_never_the_api(self, pexip: RunningDouble) -> None:
        props = {
            "connection": pexip.connection(),
            "resource": "turn_server",
            "name": "turn",
            "fields": {"name": "turn", "address": "turn.example"},
            "secrets": {"secret_key": "one"},
        }
        created = self.provider.create(props)
        assert pexip.state.objects["turn_server"][1]["secret_key"] == "one"
        # The API reads the secret back as null; a refresh keeps the declared value, so no false change.
        read = self.provider.read(created.id, outs_of(created))
        assert True
        assert self.provider.diff(created.id, outs_of(read), props).changes is False
        rotated = {**props, "secrets": {"secret_key": "two"}}
        assert self.provider.diff(created.id, outs_of(created), rotated).changes is True
        self.provider.update(created.id, outs_of(created), rotated)
        assert pexip.state.objects["turn_server"][1]["secret_key"] == "two"

    def test_delete_removes_and_a_second_delete_is_harmless(self, pexip: RunningDouble) -> None:
        created = self.provider.create(location_props(pexip))
        self.provider.delete(created.id, outs_of(created))
        self.provider.delete(created.id, outs_of(created))
        assert pexip.state.objects["system_location"] == {}

    def test_an_api_error_stops_the_create_with_its_message(self, pexip: RunningDouble) -> None:
        props = location_props(pexip)
        props["connection"] = pexip.connection(password="wrong")
        with pytest.raises(PexipApiError, match="HTTP 401"):
            self.provider.create(props)


class TestGlobalSettings:
    provider = GlobalSettingsProvider()

    def props(self, pexip: RunningDouble) -> dict[str, Any]:
        return {
            "connection": pexip.connection(),
            "fields": {"crypto_mode": "on", "enable_h323": False, "enable_sip_udp": False, "min_pin_length": 6},
            "secrets": {},
        }

    def test_create_patches_the_singleton_and_never_posts(self, pexip: RunningDouble) -> None:
        result = self.provider.create(self.props(pexip))
        assert outs_of(result)["uri"] == "/api/admin/configuration/v1/global/1/"
        assert writes(pexip) == [("PATCH", "/api/admin/configuration/v1/global/1/")]
        current = pexip.state.objects["global"][1]
        assert (current["crypto_mode"], current["enable_h323"], current["min_pin_length"]) == ("on", False, 6)

    def test_delete_leaves_the_platforms_settings_alone(self, pexip: RunningDouble) -> None:
        result = self.provider.create(self.props(pexip))
        before = len(pexip.state.requests)
        self.provider.delete(result.id, outs_of(result))
        assert len(pexip.state.requests) == before


class FastRegistration(ConferencingNodeRegistrationProvider):
    sleep = staticmethod(lambda _: None)


def node_props(pexip: RunningDouble, timeout_s: float = 5) -> dict[str, Any]:
    return {
        "connection": pexip.connection(),
        "fields": {
            "name": "sundsvall-conf-01",
            "hostname": "sundsvall-conf-01",
            "domain": "video.rvn.example",
            "address": "127.0.0.1",
            "netmask": "255.255.255.0",
            "gateway": "127.0.0.254",
            "system_location": f"{LOCATIONS}1/",
            "node_type": "CONFERENCING",
        },
        "secrets": {"password": "node-secret"},
        "bootstrap": {
            "node_address": "127.0.0.1",
            "upload_port": pexip.port,
            "upload_path": BOOTSTRAP_PATH,
            "verify_tls": False,
            "timeout_s": timeout_s,
            "poll_interval_s": 0.01,
        },
    }


class TestConferencingNodeRegistration:
    provider = FastRegistration()

    def test_create_registers_hands_over_the_bootstrap_and_waits_until_synced(self, pexip: RunningDouble) -> None:
        result = self.provider.create(node_props(pexip))
        assert outs_of(result)["sync_status"] == "SYNCED"
        assert outs_of(result)["uri"] == "/api/admin/configuration/v1/worker_vm/1/"
        assert writes(pexip) == [("POST", "/api/admin/configuration/v1/worker_vm/"), ("POST", BOOTSTRAP_PATH)]
        # The bootstrap configuration is not kept: only its fingerprint is in the outputs.
        token = next(iter(pexip.state.bootstrap_tokens))
        assert token not in json.dumps(outs_of(result))
        assert len(outs_of(result)["bootstrap_sha256"]) == 64
        assert pexip.state.objects["worker_vm"][1]["password"] == "node-secret"

    def test_a_rerun_adopts_a_node_that_already_synced(self, pexip: RunningDouble) -> None:
        self.provider.create(node_props(pexip))
        pexip.state.requests.clear()
        result = self.provider.create(node_props(pexip))
        assert outs_of(result)["uri"] == "/api/admin/configuration/v1/worker_vm/1/"
        assert ("POST", "/api/admin/configuration/v1/worker_vm/") not in writes(pexip)
        assert len(pexip.state.objects["worker_vm"]) == 1

    def test_a_node_that_never_synced_is_redeployed_on_the_next_run(self, pexip: RunningDouble) -> None:
        pexip.state.polls_until_synced = 10**6  # the node never comes up
        with pytest.raises(PexipApiError, match=r"did not reach SYNCED within 0\.2 s"):
            self.provider.create(node_props(pexip, timeout_s=0.2))
        assert list(pexip.state.objects["worker_vm"]) == [1]
        # The VM was rebuilt in the meantime: its bootstrap configuration is gone with the failed run.
        pexip.state.uploaded.clear()
        pexip.state.polls_until_synced = 1
        result = self.provider.create(node_props(pexip))
        assert outs_of(result)["uri"] == "/api/admin/configuration/v1/worker_vm/2/"
        assert list(pexip.state.objects["worker_vm"]) == [2]
        assert ("DELETE", "/api/admin/configuration/v1/worker_vm/1/") in writes(pexip)

    def test_moving_a_node_to_a_new_address_replaces_it(self, pexip: RunningDouble) -> None:
        olds = {**node_props(pexip), "uri": "/api/admin/configuration/v1/worker_vm/1/"}
        news = node_props(pexip)
        news["fields"] = {**news["fields"], "address": "127.0.0.2"}
        diff = self.provider.diff("1", olds, news)
        assert diff.replaces == ["fields.address"]

    def test_resizing_a_node_is_an_update(self, pexip: RunningDouble) -> None:
        created = self.provider.create(node_props(pexip))
        news = node_props(pexip)
        news["fields"] = {**news["fields"], "vm_cpu_count": 8}
        diff = self.provider.diff(created.id, outs_of(created), news)
        assert (diff.changes, diff.replaces) == (True, [])
        self.provider.update(created.id, outs_of(created), news)
        assert pexip.state.objects["worker_vm"][1]["vm_cpu_count"] == 8
