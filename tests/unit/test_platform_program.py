"""The real Pulumi program under the SDK's mock runtime: what each stack and component declares."""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from pulumi.runtime import resource as resource_runtime

from tests.conftest import REPO_ROOT, edit_stack
from vardmote.platform.preview import Recording, Registration, run_offline
from vardmote.platform.program import ConfigError
from vardmote.platform.stack_files import load_stack_file

VM = "vsphere:index/virtualMachine:VirtualMachine"
REGISTRATION = "pulumi-python:dynamic/pexip:ConferencingNodeRegistration"


def run_stack(stack: str, project: Path = REPO_ROOT) -> Recording:
    stack_file = load_stack_file(project, stack)
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    return run_offline(stack, values, secret_keys)


@pytest.fixture(scope="module")
def prod() -> Recording:
    return run_stack("rvn-prod")


def by_name(recording: Recording, name: str, type_suffix: str = "") -> Registration:
    matches = [r for r in recording.resources if r.name == name and r.type.endswith(type_suffix)]
    assert len(matches) == 1, [r.type for r in matches]
    return matches[0]


def of_type(recording: Recording, type_: str) -> list[Registration]:
    return [r for r in recording.resources if r.type == type_]


def test_prod_declares_the_whole_platform(prod: Recording) -> None:
    counts = Counter(r.type for r in prod.resources)
    assert len(prod.resources) >= 100
    assert counts["vardmote:platform:ConferencingNode"] == 12
    assert counts["vardmote:platform:ProxyingEdgeNode"] == 6
    assert counts[REGISTRATION] == 18
    assert counts[VM] == 23  # management + 18 nodes + 2 TURN + portal + gateway
    assert counts["vardmote:platform:SystemLocation"] == 4
    assert counts["vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule"] == 4
    assert counts["pulumi-python:dynamic/pexip:GlobalSettings"] == 1


def test_every_vm_and_registration_is_a_child_of_its_component(prod: Recording) -> None:
    components = {r.urn: r.type for r in prod.resources if r.type.startswith("vardmote:platform:")}
    for resource in [*of_type(prod, VM), *of_type(prod, REGISTRATION)]:
        assert components.get(resource.parent, "").startswith("vardmote:platform:"), resource.urn


def test_a_node_is_registered_after_its_vm_exists_and_in_its_location(prod: Recording) -> None:
    registration = by_name(prod, "ornskoldsvik-edge-02-registration")
    vm = by_name(prod, "ornskoldsvik-edge-02", "VirtualMachine")
    location = by_name(prod, "ornskoldsvik-edge-location")
    assert vm.urn in registration.dependencies
    assert location.urn in registration.dependencies
    fields = registration.inputs["fields"]
    assert (fields["node_type"], fields["address"], fields["netmask"]) == ("PROXYING", "10.211.20.11", "255.255.255.0")
    assert (fields["vm_cpu_count"], fields["vm_system_memory"]) == (8, 8192)
    assert registration.inputs["secrets"] == {"password": "[secret]"}
    # The connection carries no password (the providers read it from the stack config), so it is not secret.
    assert "password" not in registration.inputs["connection"]
    assert registration.inputs["connection"]["url"] == "https://sundsvall-pexmgr-01.video.rvn.example/"
    assert registration.inputs["bootstrap"]["node_address"] == "10.211.20.11"


def test_an_edge_location_points_at_its_sites_transcoding_location_and_overflows_to_the_other(
    prod: Recording,
) -> None:
    edge = by_name(prod, "sundsvall-edge-location")
    own = by_name(prod, "sundsvall-transcoding-location")
    other = by_name(prod, "ornskoldsvik-transcoding-location")
    assert own.urn in edge.dependencies
    assert other.urn in edge.dependencies
    assert edge.inputs["fields"]["transcoding_location"] == "[unknown]"  # a URI known after creation
    transcoding_nodes = [r for r in of_type(prod, REGISTRATION) if own.urn in r.dependencies]
    assert {r.inputs["fields"]["node_type"] for r in transcoding_nodes} == {"CONFERENCING"}


def test_pexip_nodes_come_from_the_ova_and_linux_hosts_are_cloned_with_their_address(prod: Recording) -> None:
    node = by_name(prod, "sundsvall-conf-03", "VirtualMachine").inputs
    assert "clone" not in node
    assert node["ovfDeploy"]["remoteOvfUrl"].endswith(".ova")
    # Its generic VM takes its planned address by DHCP, reserved for its fixed MAC in VMware's manual range.
    ((nic,),) = [node["networkInterfaces"]]
    assert nic["networkId"] == "getNetwork:pg-video-internal-sdl"
    assert nic["useStaticMac"] is True
    assert re.fullmatch(r"00:50:56:[0-3][0-9a-f](:[0-9a-f]{2}){2}", nic["macAddress"])
    reservation = next(r for r in prod.outputs["dhcp_reservations"] if r["host"] == "sundsvall-conf-03")
    assert reservation["mac"] == nic["macAddress"]
    assert reservation["address"] == by_name(prod, "sundsvall-conf-03", "ConferencingNode").inputs["address"]
    assert len({r["mac"] for r in prod.outputs["dhcp_reservations"]}) == len(prod.outputs["dhcp_reservations"])
    assert (node["numCpus"], node["memory"]) == (24, 24576)
    portal = by_name(prod, "sundsvall-portal-01", "VirtualMachine").inputs
    customize = portal["clone"]["customize"]
    assert customize["networkInterfaces"] == [{"ipv4Address": "10.210.30.10", "ipv4Netmask": 24}]
    assert customize["ipv4Gateway"] == "10.210.30.1"
    assert "ovfDeploy" not in portal


def test_vm_metadata_carries_no_secrets(prod: Recording) -> None:
    linux = [vm for vm in of_type(prod, VM) if "clone" in vm.inputs]
    assert len(linux) == 4  # portal, gateway, two TURN relays: nothing of Pexip's
    for vm in linux:
        assert set(vm.inputs["extraConfig"]) == {
            "guestinfo.vardmote.role",
            "guestinfo.vardmote.site",
            "guestinfo.vardmote.environment",
        }


def test_pexip_appliances_come_from_their_own_ovas_with_the_ovas_own_hardware(prod: Recording) -> None:
    """vSphere: an OVF deploy takes no extra_config and must match the OVF (SCSI controller, firmware),
    so those are read from the OVA on the site's ESXi host."""
    management = by_name(prod, "sundsvall-pexmgr-01", "VirtualMachine").inputs
    node = by_name(prod, "sundsvall-conf-01", "VirtualMachine").inputs
    assert management["ovfDeploy"]["remoteOvfUrl"].endswith("_pxMgr.ova")
    assert node["ovfDeploy"]["remoteOvfUrl"].endswith("_generic_ConfNode.ova")
    for vm in (management, node):
        assert "extraConfig" not in vm
        assert "clone" not in vm


def test_nodes_of_a_location_are_kept_on_different_hosts(prod: Recording) -> None:
    rule = by_name(prod, "sundsvall-transcoding-spread")
    assert len(rule.inputs["virtualMachineIds"]) == 6
    assert rule.inputs["computeClusterId"] == "getComputeCluster:CL-Sundsvall-Video"


def test_global_security_settings_follow_the_routine(prod: Recording) -> None:
    fields = by_name(prod, "global").inputs["fields"]
    assert fields["crypto_mode"] == "on"
    assert fields["enable_h323"] is False
    assert fields["enable_sip_udp"] is False
    assert fields["min_pin_length"] == 6
    assert fields["enable_analytics"] is False
    assert fields["error_reporting_enabled"] is False
    assert fields["logs_max_age"] == 90


def test_phone_rules_go_through_the_sip_edge_and_pc_rules_do_not(prod: Recording) -> None:
    rules = {
        r.inputs["fields"]["name"]: r.inputs["fields"] for r in prod.resources if r.type.endswith("GatewayRoutingRule")
    }
    assert rules["Phone participants (PSTN)"]["sip_proxy"] == "[unknown]"
    assert "sip_proxy" not in rules["PC participants (SIP/TLS)"]
    assert all(rule["crypto_mode"] == "on" for rule in rules.values())


def test_turn_servers_use_a_shared_secret_that_stays_secret(prod: Recording) -> None:
    turn = by_name(prod, "sundsvall-turn-01-pexip").inputs
    assert turn["fields"]["server_type"] == "coturn_shared"
    assert turn["secrets"] == {"secret_key": "[secret]"}


def test_outputs_give_urls_nodes_and_an_inventory_without_secrets(prod: Recording) -> None:
    outputs = prod.outputs
    assert outputs["urls"]["portal"] == "https://videoportal.rvn.example/"
    assert len(outputs["nodes"]) == 23  # every host of the address plan
    inventory = outputs["ansible_inventory"]["all"]
    assert set(inventory["children"]) == {"edge", "portal", "gateway"}
    assert inventory["children"]["gateway"]["hosts"]["ornskoldsvik-gateway-01"]["ansible_host"] == "10.211.30.10"
    # The one secret output is the Management Node's installer configuration (its passwords).
    assert outputs["management_installer_config"] == "[secret]"
    assert "[secret]" not in json.dumps({k: v for k, v in outputs.items() if k != "management_installer_config"})
    # What the roles draw their firewalls, relays and dispatch lists from.
    variables = inventory["vars"]
    management = [net["cidr"] for net in outputs["address_plan"] if net["role"] == "management"]
    assert variables["vardmote_admin_networks"] == management == variables["vardmote_networks"]["management"]
    assert len(management) == 2  # Sundsvall and Örnsköldsvik
    transcoding = [node["address"] for node in outputs["nodes"] if node["role"] == "transcoding"]
    assert variables["vardmote_conferencing_nodes"] == transcoding


def test_a_secure_value_is_never_decrypted_or_shown(project_copy: Path) -> None:
    edit_stack(
        project_copy,
        "rvn-test",
        "config:\n",
        "config:\n  vardmote:pexipPassword:\n    secure: v1:AAAAciphertextNEVERSHOWN==\n",
    )
    recording = run_stack("rvn-test", project_copy)
    assert "NEVERSHOWN" not in json.dumps([r.inputs for r in recording.resources] + [recording.outputs])
    assert "password" not in by_name(recording, "global").inputs["connection"]


def test_the_lab_registers_existing_hosts_and_creates_no_machine() -> None:
    """The lab's hosts exist: the only resources are the Management API's objects, none a VM."""
    lab = run_stack("lab")
    custom = {r.type.split(":")[0] for r in lab.resources if r.custom}
    assert custom == {"pulumi-python"}  # the Pexip objects' dynamic providers, nothing on a hypervisor
    children = lab.outputs["ansible_inventory"]["all"]["children"]
    assert set(children) == {"edge", "portal", "gateway", "conferencing_lab", "edge_lab", "management_lab"}
    assert children["portal"]["hosts"]["lab-portal-01"]["ansible_host"] == "10.231.0.202"


def test_the_proxmox_example_stack_clones_templates_spread_over_each_sites_nodes(project_copy: Path) -> None:
    """docs/examples/Pulumi.proxmox-example.yaml, copied in as a new stack the way the runbook says."""
    example = REPO_ROOT / "docs" / "examples" / "Pulumi.proxmox-example.yaml"
    (project_copy / "Pulumi.proxmox-test.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    recording = run_stack("proxmox-test", project_copy)
    vms = [r for r in recording.resources if r.type == "proxmoxve:index/vmLegacy:VmLegacy"]
    assert len(vms) == 9  # management, 2 + 2 nodes, 2 TURN, portal, gateway
    gateway = by_name(recording, "ornskoldsvik-gateway-01", "VmLegacy").inputs
    assert gateway["clone"] == {"vmId": 9001, "full": True, "datastoreId": "DS-Ornskoldsvik-Video"}
    assert gateway["initialization"]["ipConfigs"] == [
        {"ipv4": {"address": "10.213.30.10/24", "gateway": "10.213.30.1"}}
    ]
    assert by_name(recording, "sundsvall-pexmgr-01", "VmLegacy").inputs["clone"]["vmId"] == 9002
    node = by_name(recording, "sundsvall-conf-01", "VmLegacy").inputs
    assert node["clone"]["vmId"] == 9000
    # The generic node's fixed MAC (a locally administered one) is the one its DHCP reservation names.
    (device,) = node["networkDevices"]
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", device["macAddress"])
    reservations = {r["host"]: r["mac"] for r in recording.outputs["dhcp_reservations"]}
    assert reservations["sundsvall-conf-01"] == device["macAddress"]
    assert "macAddress" not in gateway["networkDevices"][0]  # the region's Linux hosts keep their own
    assert of_type(recording, VM) == []


def test_proxmox_spreads_the_vms_of_one_kind_over_the_sites_nodes_in_turn(project_copy: Path) -> None:
    example = REPO_ROOT / "docs" / "examples" / "Pulumi.proxmox-example.yaml"
    text = example.read_text(encoding="utf-8").replace(
        "{count: 1, vcpu: 8, memory_mb: 8192}", "{count: 4, vcpu: 8, memory_mb: 8192}"
    )
    (project_copy / "Pulumi.proxmox-test.yaml").write_text(text, encoding="utf-8")
    recording = run_stack("proxmox-test", project_copy)
    placed = {
        r.name: r.inputs["nodeName"]
        for r in recording.resources
        if r.type == "proxmoxve:index/vmLegacy:VmLegacy" and r.name.startswith("sundsvall-")
    }
    nodes = [placed[f"sundsvall-conf-{i:02d}"] for i in range(1, 5)]
    assert nodes == ["pve-sdl-01", "pve-sdl-02", "pve-sdl-03", "pve-sdl-01"]


def test_the_program_itself_names_the_config_path_when_run_by_the_engine() -> None:
    """Under `pulumi up` the config arrives as JSON without lines: errors name the config path."""
    stack_file = load_stack_file(REPO_ROOT, "lab")
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    platform = json.loads(values["vardmote:platform"])
    platform["sites"][0]["transcoding_nodes"]["vcpu"] = 1
    values["vardmote:platform"] = json.dumps(platform)
    with pytest.raises(ConfigError) as raised:
        run_offline("lab", values, secret_keys)
    assert str(raised.value) == "vardmote:platform.sites[0].transcoding_nodes.vcpu: must be 2–128 (Pexip), got 1"


def test_an_offline_run_leaves_the_sdk_and_the_collector_as_it_found_them() -> None:
    """The offline run skips the SDK's per-resource stack traces and pauses the collector; a later real
    run in the same process (and the process's memory management) must not inherit either, even when
    the program fails half-way."""
    capture = resource_runtime._get_stack_trace
    stack_file = load_stack_file(REPO_ROOT, "lab")
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    broken = json.loads(values["vardmote:platform"])
    broken["sites"][0]["transcoding_nodes"]["vcpu"] = 1
    for collecting in (True, False):
        (gc.enable if collecting else gc.disable)()
        try:
            run_offline("lab", values, secret_keys)
            with pytest.raises(ConfigError):
                run_offline("lab", {**values, "vardmote:platform": json.dumps(broken)}, secret_keys)
            assert gc.isenabled() is collecting
        finally:
            gc.enable()
        assert resource_runtime._get_stack_trace is capture


def test_every_run_records_the_same_resources_in_the_same_order_each_after_its_parent() -> None:
    """The SDK registers resources as their inputs resolve, in an order that varies between runs; the
    recording (and so the preview, the policies' findings and the lab's inventory) must not."""
    runs = [run_stack("rvn-prod") for _ in range(3)]
    orders = [[(r.urn, tuple(r.dependencies)) for r in run.resources] for run in runs]
    assert orders[0] == orders[1] == orders[2]
    seen = {""}
    for resource in runs[0].resources:
        assert resource.parent in seen, f"{resource.urn} comes before its parent"
        seen.add(resource.urn)


def test_addresses_are_the_same_on_every_run() -> None:
    platform = load_stack_file(REPO_ROOT, "rvn-prod").platform()
    assert platform.address_plan() == platform.address_plan()
    addresses = [h.address for h in platform.address_plan().hosts]
    assert len(addresses) == len(set(addresses))


def test_the_management_node_is_sized_from_config_within_pexips_minimum(prod: Recording) -> None:
    vm = by_name(prod, "sundsvall-pexmgr-01", "VirtualMachine").inputs
    assert (vm["numCpus"], vm["memory"], vm["disks"][0]["size"]) == (8, 16384, 200)
    assert vm["networkInterfaces"] == [{"networkId": "getNetwork:pg-video-mgmt-sdl"}]
    assert prod.outputs["urls"]["management"] == "https://sundsvall-pexmgr-01.video.rvn.example/"


def test_vms_go_into_the_sites_folder_with_a_role_tag(prod: Recording) -> None:
    vm = by_name(prod, "ornskoldsvik-turn-01", "VirtualMachine")
    folder = by_name(prod, "ornskoldsvik-folder")
    tag = by_name(prod, "vardmote-role-turn")
    assert folder.inputs == {
        "path": "vardmote-prod/ornskoldsvik",
        "type": "vm",
        "datacenterId": "getDatacenter:DC-Ornskoldsvik",
    }
    assert folder.urn in vm.dependencies
    assert tag.urn in vm.dependencies
    assert tag.inputs["name"] == "turn"


def test_locations_use_the_regions_dns_ntp_and_syslog_servers(prod: Recording) -> None:
    location = by_name(prod, "sundsvall-transcoding-location").inputs["fields"]
    assert location["dns_servers"] == ["[unknown]", "[unknown]"]
    assert location["ntp_servers"] == ["[unknown]", "[unknown]"]
    assert location["syslog_servers"] == ["[unknown]"]
    syslog = by_name(prod, "syslog-logs.rvn.example-6514-tls").inputs["fields"]
    assert (syslog["address"], syslog["port"], syslog["transport"]) == ("logs.rvn.example", 6514, "tls")
    # The logs the policies cite leave the nodes: audit, support (who joined what) and web.
    assert (syslog["audit_log"], syslog["support_log"], syslog["web_log"]) == (True, True, True)


def test_the_platform_root_carries_the_facts_policies_check(prod: Recording) -> None:
    (root,) = of_type(prod, "vardmote:platform:VideoPlatform")
    assert root.inputs["state_backend"]["url"].startswith("s3://pulumi-state?endpoint=objects.rvn.example")
    assert root.inputs["allowed_locations"] == ["sundsvall", "ornskoldsvik"]
    assert root.inputs["pexip_api"]["verify_tls"] is True
    components = [r for r in prod.resources if r.type.startswith("vardmote:platform:") and r != root]
    top_level = [r for r in components if r.parent == root.urn]
    assert {r.type.rsplit(":", 1)[-1] for r in top_level} == {
        "ManagementNode",
        "PlatformSettings",
        "TurnRelay",
        "SystemLocation",
        "Portal",
        "Gateway",
        "MeetingRooms",
    }


def test_node_components_say_where_they_sit(prod: Recording) -> None:
    edge = by_name(prod, "sundsvall-edge-01", "ProxyingEdgeNode").inputs
    assert (edge["network"], edge["node_type"], edge["site"]) == ("dmz", "PROXYING", "sundsvall")
    conf = by_name(prod, "sundsvall-conf-01", "ConferencingNode").inputs
    assert (conf["network"], conf["node_type"]) == ("transcoding", "CONFERENCING")


def test_the_stack_can_import_an_existing_object_explicitly_by_resource_name() -> None:
    """`vardmote:import` maps a resource to an existing object's URI: the program gives it `import_`."""
    stack_file = load_stack_file(REPO_ROOT, "rvn-test")
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    uri = "/api/admin/configuration/v1/system_location/3/"
    values["vardmote:import"] = json.dumps({"sundsvall-transcoding-location": uri})
    recording = run_offline("rvn-test", values, secret_keys)
    assert by_name(recording, "sundsvall-transcoding-location").import_id == uri
    assert [r.name for r in recording.resources if r.import_id] == ["sundsvall-transcoding-location"]


def test_the_gateway_group_carries_the_operators_trunk_and_never_its_password(prod: Recording) -> None:
    gateway = prod.outputs["ansible_inventory"]["all"]["children"]["gateway"]
    assert gateway["vars"]["vardmote_sip_trunk"] == {
        "name": "operator-sip-trunk",
        "address": "sip-trunk.operator.example",
        "port": 5061,
        "transport": "tls",
        "username": "rvn-video",
        "caller_id": "+46606000000",  # what calls out present: the operator lets through only the region's
        "dial_in_prefix": "+46606000",  # the rooms' numbers: what the trunk delivers, and so dials in
    }
    # The inventory is not a secret: no password of any kind, not even a placeholder for one.
    text = json.dumps(prod.outputs["ansible_inventory"]).lower()
    assert "password" not in text
    assert "[secret]" not in text


def test_the_gateway_role_reads_the_trunks_password_from_the_vault_or_the_environment() -> None:
    defaults = (REPO_ROOT / "provisioning" / "roles" / "gateway" / "defaults" / "main.yml").read_text(encoding="utf-8")
    assert "gateway_sip_trunk_password: \"{{ lookup('ansible.builtin.env', 'VARDMOTE_SIP_TRUNK_PASSWORD') }}\"" in (
        defaults
    )
    for name in ("name", "address", "port", "transport", "username"):
        assert f'gateway_sip_trunk_{name}: "{{{{ vardmote_sip_trunk.{name} }}}}"' in defaults, name


def test_a_deployed_stack_without_the_trunks_password_stops_before_anything_is_made() -> None:
    stack_file = load_stack_file(REPO_ROOT, "rvn-test")
    values, secret_keys, missing = stack_file.offline_config(stack_file.platform())
    assert "vardmote:sipTrunkPassword" in missing
    values.pop("vardmote:sipTrunkPassword")
    with pytest.raises(Exception, match=r"vardmote:sipTrunkPassword"):
        run_offline("rvn-test", values, [key for key in secret_keys if key != "vardmote:sipTrunkPassword"])


def test_edge_nodes_are_registered_with_their_static_nat_address(prod: Recording) -> None:
    edge = by_name(prod, "ornskoldsvik-edge-02-registration").inputs["fields"]
    assert (edge["address"], edge["static_nat_address"]) == ("10.211.20.11", "195.198.101.11")
    conf = by_name(prod, "ornskoldsvik-conf-02-registration").inputs["fields"]
    assert "static_nat_address" not in conf
    nat = {row["host"]: row for row in prod.outputs["static_nat"]}
    assert set(nat) == {f"{site}-edge-0{i}" for site in ("sundsvall", "ornskoldsvik") for i in (1, 2, 3)} | {
        "sundsvall-turn-01",
        "ornskoldsvik-turn-01",
    }
    assert nat["sundsvall-turn-01"] == {
        "host": "sundsvall-turn-01",
        "role": "turn",
        "site": "sundsvall",
        "public_address": "195.198.100.20",
        "address": "10.210.20.13",
    }


def test_turn_relays_are_offered_over_udp_and_over_tls_on_443_by_the_name_participants_reach(
    prod: Recording,
) -> None:
    udp = by_name(prod, "sundsvall-turn-01-pexip")
    tls = by_name(prod, "sundsvall-turn-01-pexip-tls")
    assert {k: udp.inputs["fields"][k] for k in ("address", "port", "transport_type")} == {
        "address": "sundsvall-turn-01.video.rvn.example",
        "port": 3478,
        "transport_type": "udp",
    }
    assert {k: tls.inputs["fields"][k] for k in ("address", "port", "transport_type", "server_type")} == {
        "address": "sundsvall-turn-01.video.rvn.example",
        "port": 443,
        "transport_type": "tls",
        "server_type": "coturn_shared",
    }
    assert tls.inputs["secrets"] == {"secret_key": "[secret]"}
    # Participants at the edge are offered both; the transcoding nodes relay over UDP.
    edge = by_name(prod, "sundsvall-edge-location")
    assert {udp.urn, tls.urn} <= set(edge.dependencies)
    assert edge.inputs["fields"]["client_turn_servers"] == ["[unknown]", "[unknown]"]
    transcoding = by_name(prod, "sundsvall-transcoding-location")
    assert udp.urn in transcoding.dependencies
    assert tls.urn not in transcoding.dependencies


def test_the_edge_group_carries_each_relays_public_address_and_the_tls_port(prod: Recording) -> None:
    inventory = prod.outputs["ansible_inventory"]["all"]
    relay = inventory["children"]["edge"]["hosts"]["ornskoldsvik-turn-01"]
    assert (relay["ansible_host"], relay["vardmote_public_address"]) == ("10.211.20.13", "195.198.101.20")
    assert inventory["vars"]["vardmote_turn_tls_port"] == 443
    lab = run_stack("lab").outputs["ansible_inventory"]["all"]
    # The lab's public side is in its own internet (documentation addresses, RFC 5737).
    assert lab["children"]["edge"]["hosts"]["lab-turn-01"]["vardmote_public_address"] == "198.51.100.11"
    assert lab["children"]["gateway"]["vars"]["vardmote_sip_trunk"]["dial_in_prefix"] == "+46600000"
    assert lab["children"]["gateway"]["vars"]["vardmote_sip_trunk"]["caller_id"] == "+46600000100"
