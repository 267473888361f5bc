"""A broken stack config gives one exact `file:line: config path: problem` line and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT, edit_stack
from vardmote.cli.app import app
from vardmote.core.problems import ProblemsFound
from vardmote.platform.stack_files import UnknownStack, load_stack_file, require_stack

PLATFORM = "config.vardmote:platform"

CASES = {
    "bad_cidr": (
        "rvn-prod",
        "management: {cidr: 10.210.0.0/24,",
        "management: {cidr: 10.210.0.0/33,",
        f"Pulumi.rvn-prod.yaml:37: {PLATFORM}.sites[0].networks.management.cidr: not a CIDR network: '10.210.0.0/33'",
    ),
    "host_bits_set": (
        "rvn-prod",
        "dmz: {cidr: 10.210.20.0/24,",
        "dmz: {cidr: 10.210.20.7/24,",
        f"Pulumi.rvn-prod.yaml:39: {PLATFORM}.sites[0].networks.dmz.cidr: '10.210.20.7/24' has host bits set; "
        "did you mean 10.210.20.0/24?",
    ),
    "overlapping_subnets": (
        "rvn-prod",
        "services: {cidr: 10.211.30.0/24,",
        "services: {cidr: 10.210.0.0/16,",
        f"Pulumi.rvn-prod.yaml:54: {PLATFORM}.sites[1].networks.services.cidr: 10.210.0.0/16 overlaps "
        "sites[0].networks.management.cidr (10.210.0.0/24)",
    ),
    "subnet_too_small": (
        "rvn-prod",
        "dmz: {cidr: 10.210.20.0/24,",
        "dmz: {cidr: 10.210.20.0/29,",
        f"Pulumi.rvn-prod.yaml:39: {PLATFORM}.sites[0].networks.dmz.cidr: 10.210.20.0/29 has room for 0 hosts "
        "after 9 reserved addresses, but 4 are needed (3 edge, 1 turn)",
    ),
    "node_below_pexip_minimum": (
        "rvn-prod",
        "edge_nodes: {count: 3, vcpu: 8, memory_mb: 8192}",
        "edge_nodes: {count: 3, vcpu: 1, memory_mb: 8192}",
        f"Pulumi.rvn-prod.yaml:42: {PLATFORM}.sites[0].edge_nodes.vcpu: must be 2–128 (Pexip), got 1",
    ),
    "too_little_memory_per_vcpu": (
        "rvn-prod",
        "transcoding_nodes: {count: 6, vcpu: 24, memory_mb: 24576}",
        "transcoding_nodes: {count: 6, vcpu: 24, memory_mb: 8192}",
        f"Pulumi.rvn-prod.yaml:41: {PLATFORM}.sites[0].transcoding_nodes.memory_mb: "
        "Pexip needs about 1 GB per vCPU: 24 vCPU need ≥ 24000 MB",
    ),
    "management_node_too_small": (
        "lab",
        "management_node: {site: lab, vcpu: 4, memory_mb: 4096}",
        "management_node: {site: lab, vcpu: 2, memory_mb: 4096}",
        f"Pulumi.lab.yaml:33: {PLATFORM}.management_node.vcpu: the Management Node needs at least 4, got 2",
    ),
    "unknown_site": (
        "rvn-prod",
        "host: {site: ornskoldsvik, vcpu: 4, memory_mb: 4096}",
        "host: {site: harnosand, vcpu: 4, memory_mb: 4096}",
        f"Pulumi.rvn-prod.yaml:106: {PLATFORM}.gateway.host.site: no site 'harnosand'; sites: sundsvall, ornskoldsvik",
    ),
    "caller_id_not_e164": (
        "lab",
        'caller_id: "+46600000100"',
        'caller_id: "060-000 01 00"',
        f"Pulumi.lab.yaml:66: {PLATFORM}.gateway.sip_trunk.caller_id: a phone number as +E.164: '+', the country "
        "code, the number without its leading 0, no spaces (060-12 34 56 is +4660123456), got '060-000 01 00'",
    ),
    "typo_in_a_key": (
        "lab",
        "    turn:\n      sites: [lab]",
        "    turn:\n      sitez: [lab]",
        f"Pulumi.lab.yaml:70: {PLATFORM}.turn.sites: required field is missing\n"
        f"Pulumi.lab.yaml:71: {PLATFORM}.turn.sitez: unknown field; did you mean 'sites'?",
    ),
    "plain_text_provider_secret": (
        "rvn-prod",
        "  vsphere:user: svc-vardmote-pulumi@vsphere.local\n",
        "  vsphere:user: svc-vardmote-pulumi@vsphere.local\n  vsphere:password: Sommar2026!\n",
        "Pulumi.rvn-prod.yaml:15: config.vsphere:password: must be a secure value, never plain text: "
        "run `pulumi config set --secret vsphere:password`",
    ),
    "regex_that_does_not_compile": (
        "rvn-prod",
        "match_string: '^\\+46(\\d{7,10})$'",
        "match_string: '^\\+46(\\d{7,10}$'",
        f"Pulumi.rvn-prod.yaml:117: {PLATFORM}.gateway.routing_rules[1].match_string: "
        "not a regular expression: missing ), unterminated subpattern at position 5",
    ),
    "replace_refers_to_a_missing_group": (
        "rvn-prod",
        "replace_string: '0\\1', participants: phone",
        "replace_string: '0\\2', participants: phone",
        f"Pulumi.rvn-prod.yaml:118: {PLATFORM}.gateway.routing_rules[1].replace_string: "
        "refers to group 2, but match_string has 1 group(s)",
    ),
    "two_rules_one_priority": (
        "rvn-prod",
        "priority: 20,",
        "priority: 10,",
        f"Pulumi.rvn-prod.yaml:117: {PLATFORM}.gateway.routing_rules[1].priority: "
        "10 is already the priority of routing_rules[0]",
    ),
    "two_rules_one_resource_name": (
        "rvn-prod",
        "name: Phone participants (PSTN)",
        "name: PC participants (SIP/TLS)",
        f"Pulumi.rvn-prod.yaml:117: {PLATFORM}.gateway.routing_rules[1].name: "
        "'PC participants (SIP/TLS)' names the same resource as routing_rules[0] ('PC participants (SIP/TLS)')",
    ),
    "ipv6_network": (
        "rvn-prod",
        "services: {cidr: 10.211.30.0/24",
        "services: {cidr: 2001:db8::/64",
        f"Pulumi.rvn-prod.yaml:54: {PLATFORM}.sites[1].networks.services.cidr: "
        "2001:db8::/64 is IPv6: the platform's networks are IPv4 (Pexip's address and netmask)",
    ),
    "gateway_is_the_broadcast_address": (
        "rvn-prod",
        "dmz: {cidr: 10.210.20.0/24, port_group: pg-video-dmz-sdl}",
        "dmz: {cidr: 10.210.20.0/24, port_group: pg-video-dmz-sdl, gateway: 10.210.20.255}",
        f"Pulumi.rvn-prod.yaml:39: {PLATFORM}.sites[0].networks.dmz.gateway: "
        "10.210.20.255 is the broadcast address of 10.210.20.0/24: no host may hold it",
    ),
    "plain_text_secret": (
        "rvn-test",
        "config:\n",
        "config:\n  vardmote:nodePassword: hunter2\n",
        "Pulumi.rvn-test.yaml:13: config.vardmote:nodePassword: must be a secure value, never plain text: "
        "run `pulumi config set --secret vardmote:nodePassword`",
    ),
    "plain_text_sip_trunk_password": (
        "rvn-test",
        "config:\n",
        "config:\n  vardmote:sipTrunkPassword: Sommar2026!\n",
        "Pulumi.rvn-test.yaml:13: config.vardmote:sipTrunkPassword: must be a secure value, never plain text: "
        "run `pulumi config set --secret vardmote:sipTrunkPassword`",
    ),
    "sip_trunk_password_in_the_platform_config": (
        "rvn-prod",
        "        username: rvn-video\n",
        "        username: rvn-video\n        password: Sommar2026!\n",
        f"Pulumi.rvn-prod.yaml:113: {PLATFORM}.gateway.sip_trunk.password: never in plain YAML: the trunk's "
        "password is the stack secret vardmote:sipTrunkPassword "
        "(`pulumi config set --secret vardmote:sipTrunkPassword`)",
    ),
    "sip_trunk_over_tcp": (
        "rvn-prod",
        "        transport: tls\n",
        "        transport: tcp\n",
        f"Pulumi.rvn-prod.yaml:111: {PLATFORM}.gateway.sip_trunk.transport: must be tls in a prod stack: over tcp "
        "the trunk's digest authentication, the callers' numbers and the SRTP keys in the SDP would cross the "
        "operator's network in clear (HSLF-FS 2016:40: encryption on open networks)",
    ),
    "sip_trunk_over_udp": (
        "rvn-test",
        "        transport: tls\n",
        "        transport: udp\n",
        f"Pulumi.rvn-test.yaml:111: {PLATFORM}.gateway.sip_trunk.transport: must be 'tls' or 'tcp', got 'udp'",
    ),
    "public_address_for_documentation": (
        "rvn-prod",
        "edge_nodes: [195.198.100.10,",
        "edge_nodes: [192.0.2.10,",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes[0]: 192.0.2.10 is not globally routable "
        "(192.0.2.0/24, documentation, TEST-NET-1): the internet could not reach it there",
    ),
    "public_address_of_the_labs_internet_outside_the_lab": (
        "rvn-prod",
        "edge_nodes: [195.198.100.10,",
        "edge_nodes: [203.0.113.10,",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes[0]: 203.0.113.10 is not globally routable "
        "(203.0.113.0/24, documentation, TEST-NET-3): the internet could not reach it there",
    ),
    "public_address_that_is_private": (
        "rvn-prod",
        "turn_relays: [195.198.101.20]",
        "turn_relays: [10.211.20.99]",
        f"Pulumi.rvn-prod.yaml:59: {PLATFORM}.sites[1].public.turn_relays[0]: 10.211.20.99 is not globally "
        "routable (10.0.0.0/8, private, RFC 1918): the internet could not reach it there",
    ),
    "public_address_behind_carrier_grade_nat": (
        "rvn-prod",
        "195.198.100.11, 195.198.100.12]",
        "195.198.100.11, 100.72.0.12]",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes[2]: 100.72.0.12 is not globally "
        "routable (100.64.0.0/10, shared address space of carrier-grade NAT, RFC 6598): the internet could not "
        "reach it there",
    ),
    "public_address_that_is_not_one": (
        "rvn-prod",
        "edge_nodes: [195.198.100.10,",
        "edge_nodes: [195.198.100.300,",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes[0]: not an IP address: '195.198.100.300'",
    ),
    "public_address_in_ipv6": (
        "rvn-prod",
        "turn_relays: [195.198.100.20]",
        "turn_relays: ['2a00:801:f::20']",
        f"Pulumi.rvn-prod.yaml:45: {PLATFORM}.sites[0].public.turn_relays[0]: 2a00:801:f::20 is IPv6: a static "
        "NAT address is IPv4, as the site's networks are (Pexip's static_nat_address)",
    ),
    "public_address_inside_an_internal_network": (
        "rvn-prod",
        "services: {cidr: 10.210.30.0/24,",
        "services: {cidr: 195.198.100.0/28,",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes[0]: 195.198.100.10 is in "
        "sites[0].networks.services.cidr (195.198.100.0/28), an internal network of the stack: a static NAT "
        "address lies outside them",
    ),
    "public_address_given_twice": (
        "rvn-prod",
        "edge_nodes: [195.198.101.10,",
        "edge_nodes: [195.198.100.11,",
        f"Pulumi.rvn-prod.yaml:58: {PLATFORM}.sites[1].public.edge_nodes[0]: 195.198.100.11 is already "
        "sites[0].public.edge_nodes[1]",
    ),
    "fewer_public_addresses_than_edge_nodes": (
        "rvn-prod",
        "edge_nodes: [195.198.100.10, 195.198.100.11, 195.198.100.12]",
        "edge_nodes: [195.198.100.10, 195.198.100.11]",
        f"Pulumi.rvn-prod.yaml:44: {PLATFORM}.sites[0].public.edge_nodes: sundsvall plans 3 edge nodes "
        "(edge_nodes.count), so 3 public addresses, one per edge node in order; got 2",
    ),
    "a_public_address_for_a_turn_relay_the_site_does_not_have": (
        "rvn-prod",
        "    turn:\n      sites: [sundsvall, ornskoldsvik]",
        "    turn:\n      sites: [sundsvall]",
        f"Pulumi.rvn-prod.yaml:59: {PLATFORM}.sites[1].public.turn_relays: ornskoldsvik plans no TURN relay "
        "(turn.sites), so no public address; got 1",
    ),
    "a_turn_relay_without_its_public_address": (
        "rvn-test",
        "          turn_relays: [195.198.103.20]\n",
        "",
        f"Pulumi.rvn-test.yaml:57: {PLATFORM}.sites[1].public.turn_relays: ornskoldsvik plans 1 TURN relay "
        "(turn.sites), so 1 public address, one per TURN relay in order; got 0",
    ),
    "a_deployed_site_without_its_public_side": (
        "rvn-prod",
        "        public:  # static NAT addresses: placeholders, see the top of this file\n"
        "          edge_nodes: [195.198.101.10, 195.198.101.11, 195.198.101.12]\n"
        "          turn_relays: [195.198.101.20]\n",
        "",
        f"Pulumi.rvn-prod.yaml:46: {PLATFORM}.sites[1].public: required where the platform is deployed (vsphere): "
        "ornskoldsvik has 3 edge nodes and a TURN relay, which the internet reaches at their static NAT addresses",
    ),
    "a_lab_public_side_is_checked": (
        "lab",
        "        public: {edge_nodes: [198.51.100.10], turn_relays: [198.51.100.11]}\n",
        "        public: {edge_nodes: [198.51.100.10]}\n",
        f"Pulumi.lab.yaml:30: {PLATFORM}.sites[0].public.turn_relays: lab plans 1 TURN relay (turn.sites), "
        "so 1 public address, one per TURN relay in order; got 0",
    ),
}


def problems_of(project: Path, stack: str) -> list[str]:
    def load() -> None:
        stack_file = load_stack_file(project, stack)
        stack_file.offline_config(stack_file.platform())

    with pytest.raises(ProblemsFound) as found:
        load()
    return [str(p).replace(f"{project}/", "") for p in found.value.problems]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_stack_config_gives_its_exact_problem(project_copy: Path, case: str) -> None:
    stack, old, new, expected = CASES[case]
    edit_stack(project_copy, stack, old, new)
    assert problems_of(project_copy, stack) == expected.split("\n")


def test_a_site_name_that_makes_node_names_too_long_for_the_api_is_refused(project_copy: Path) -> None:
    long_name = "ornskoldsvik-datacenter-north"  # within the site-name rule, not within Pexip's 32 characters
    edit_stack(
        project_copy,
        "rvn-prod",
        "allowed_locations: [sundsvall, ornskoldsvik]",
        f"allowed_locations: [sundsvall, {long_name}]",
    )
    edit_stack(project_copy, "rvn-prod", "- name: ornskoldsvik", f"- name: {long_name}")
    edit_stack(project_copy, "rvn-prod", "sites: [sundsvall, ornskoldsvik]", f"sites: [sundsvall, {long_name}]")
    edit_stack(project_copy, "rvn-prod", "host: {site: ornskoldsvik,", f"host: {{site: {long_name},")
    edit_stack(project_copy, "rvn-prod", "ornskoldsvik: esx01", f"{long_name}: esx01")
    assert problems_of(project_copy, "rvn-prod") == [
        f"Pulumi.rvn-prod.yaml:46: {PLATFORM}.sites[1].name: node names such as "
        f"'{long_name}-conf-06' would be longer than the API's 32 characters"
    ]


def test_edge_nodes_with_no_transcoding_node_behind_them_cannot_carry_a_call(project_copy: Path) -> None:
    full = "transcoding_nodes: {count: 6, vcpu: 24, memory_mb: 24576}"
    for _ in range(2):  # both sites
        edit_stack(project_copy, "rvn-prod", full, full.replace("count: 6", "count: 0"))
    assert problems_of(project_copy, "rvn-prod") == [
        f"Pulumi.rvn-prod.yaml:31: {PLATFORM}.sites: no site has transcoding nodes: no call could be carried"
    ]


def test_the_preview_command_prints_the_problem_without_a_traceback(project_copy: Path) -> None:
    stack, old, new, expected = CASES["overlapping_subnets"]
    path = edit_stack(project_copy, stack, old, new)
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["preview", "--stack", stack], env={"VARDMOTE_PROJECT_DIR": str(project_copy)})
    assert result.exit_code == 1
    assert result.stdout == ""  # an error, on stderr: stdout is the preview's, for a pipe
    assert result.stderr.splitlines()[0] == f"{project_copy}/{expected}"
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_an_unknown_stack_is_one_line_on_stderr_naming_the_stacks_there_are(project_copy: Path) -> None:
    result = CliRunner().invoke(app, ["preview", "--stack", "staging"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: no stack 'staging' in {project_copy}; the stacks: lab, rvn-prod, rvn-test\n"


@pytest.mark.parametrize("typed", ["labb", "Lab"])
def test_an_unknown_stack_close_to_one_asks_whether_that_was_meant(project_copy: Path, typed: str) -> None:
    with pytest.raises(UnknownStack) as raised:
        require_stack(project_copy, typed)
    assert (
        str(raised.value)
        == f"no stack {typed!r} in {project_copy}; the stacks: lab, rvn-prod, rvn-test; did you mean lab?"
    )
    require_stack(project_copy, "lab")  # a stack there is passes


def test_preview_json_is_shaped_like_pulumi_preview(project_copy: Path) -> None:
    result = CliRunner().invoke(
        app, ["preview", "--stack", "rvn-test", "--format", "json"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)}
    )
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["changeSummary"] == {"create": len(document["steps"])}
    step = next(s for s in document["steps"] if s["urn"].endswith("::sundsvall-conf-01-registration"))
    assert step["op"] == "create"
    assert set(step["newState"]) == {"urn", "type", "custom", "parent", "provider", "dependencies", "inputs"}
    assert step["newState"]["type"] == "pulumi-python:dynamic/pexip:ConferencingNodeRegistration"
    assert step["newState"]["parent"].endswith("::sundsvall-conf-01")
    assert step["provider"].endswith("pulumi:providers:pulumi-python::default")
    assert document["outputs"]["environment"] == "test"
    # The stack sets no secrets: the preview says so and still runs.
    assert "note: vardmote:pexipPassword is not set for rvn-test" in result.stderr


def test_preview_tree_shows_components_and_their_children(project_copy: Path) -> None:
    result = CliRunner().invoke(app, ["preview", "--stack", "lab"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "lab (30 resources to create)"
    assert "    │   └── ConferencingNode lab-conf-01 10.231.0.74" in lines


def test_preview_addresses_prints_the_plan(project_copy: Path) -> None:
    result = CliRunner().invoke(
        app, ["preview", "--stack", "lab", "--addresses"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)}
    )
    assert result.exit_code == 0
    assert "lab-gateway-01 10.231.0.203" in result.stdout
    assert "10.231.0.192/26" in result.stdout


def test_preview_without_a_stack_shows_every_stack(project_copy: Path) -> None:
    result = CliRunner().invoke(app, ["preview", "--format", "json"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)})
    assert result.exit_code == 0
    assert [d["stack"] for d in json.loads(result.stdout)["stacks"]] == ["lab", "rvn-prod", "rvn-test"]


NEW_STACK_MISTAKES = {
    "a site left out of the Proxmox nodes": (
        "          ornskoldsvik: [pve-ovik-01, pve-ovik-02]\n",
        "",
        "Pulumi.new.yaml:24: config.vardmote:platform.hypervisor.proxmox.nodes: says nothing of site 'ornskoldsvik'",
    ),
    "a misspelt key": (
        "    turn:\n      sites:",
        "    turn:\n      site:",
        "Pulumi.new.yaml:115: config.vardmote:platform.turn.sites: required field is missing\n"
        "Pulumi.new.yaml:116: config.vardmote:platform.turn.site: unknown field; did you mean 'sites'?",
    ),
    "a routing rule going out over WebRTC": (
        "participants: pc}",
        "participants: pc, outgoing_protocol: webrtc}",
        "Pulumi.new.yaml:112: config.vardmote:platform.gateway.routing_rules[0].outgoing_protocol: "
        "must be 'sip', 'h323', 'mssip' or 'teams', got 'webrtc'",
    ),
    "a password pasted in plain text": (
        "config:\n",
        "config:\n  proxmoxve:password: Vinter2026\n",
        "Pulumi.new.yaml:11: config.proxmoxve:password: must be a secure value, never plain text: "
        "run `pulumi config set --secret proxmoxve:password`",
    ),
}


@pytest.mark.parametrize("mistake", sorted(NEW_STACK_MISTAKES))
def test_a_new_stack_from_the_example_with_one_mistake_gets_one_clear_answer(project_copy: Path, mistake: str) -> None:
    """A new stack as the runbook says to start one: the shipped example, copied in, one realistic mistake."""
    old, new, expected = NEW_STACK_MISTAKES[mistake]
    example = (REPO_ROOT / "docs" / "examples" / "Pulumi.proxmox-example.yaml").read_text(encoding="utf-8")
    assert old in example
    (project_copy / "Pulumi.new.yaml").write_text(example.replace(old, new, 1), encoding="utf-8")
    assert problems_of(project_copy, "new") == expected.split("\n")


def test_a_deployed_platform_without_its_management_api_is_refused(project_copy: Path) -> None:
    """Without `pexip:` the nodes would be VMs that never become Pexip nodes, and a preview would pass."""
    path = project_copy / "Pulumi.rvn-test.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    pexip:\n")
    end = text.index("    security:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert problems_of(project_copy, "rvn-test") == [
        f"Pulumi.rvn-test.yaml:16: {PLATFORM}.pexip: required where the platform's nodes are deployed (vsphere): "
        "the Management API is what makes them Pexip nodes; only a stack of existing hosts (the lab) may go without"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "config:\n",
            "config:\n  vardmote:nodePasswd: Sommar2026!\n",
            "Pulumi.rvn-test.yaml:13: config.vardmote:nodePasswd: not a key vardmote reads; "
            "did you mean vardmote:nodePassword?",
        ),
        (
            "config:\n",
            "config:\n  proxmoxve:ssh: {username: root, password: hunter2}\n",
            "Pulumi.rvn-test.yaml:13: config.proxmoxve:ssh.password: must not be in plain text: "
            "set the whole key with `pulumi config set --secret`",
        ),
        (
            "config:\n",
            "config:\n  vardmote:import: {dns-10.202.0.53: /api/x}\n",
            "Pulumi.rvn-test.yaml:13: config.vardmote:import.dns-10.202.0.53: "
            "'/api/x' is not a Management API object's URI",
        ),
    ],
    ids=["a secret under a misspelt key", "a provider's nested password", "an import that names no object"],
)
def test_the_keys_around_the_platform_are_checked_too(project_copy: Path, old: str, new: str, expected: str) -> None:
    edit_stack(project_copy, "rvn-test", old, new)
    assert problems_of(project_copy, "rvn-test") == [expected]


def test_an_import_of_a_resource_the_stack_does_not_declare_is_refused(project_copy: Path) -> None:
    uri = "/api/admin/configuration/v1/system_location/3/"
    edit_stack(project_copy, "rvn-test", "config:\n", f"config:\n  vardmote:import: {{no-such-location: {uri}}}\n")
    result = CliRunner().invoke(
        app, ["preview", "--stack", "rvn-test"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)}
    )
    assert result.exit_code == 1
    assert "vardmote:import.no-such-location: this stack declares no Pexip resource of that name" in result.output
    assert "Traceback" not in result.output


def test_an_import_shows_as_an_import_in_the_preview(project_copy: Path) -> None:
    uri = "/api/admin/configuration/v1/system_location/3/"
    edit_stack(
        project_copy,
        "rvn-test",
        "config:\n",
        f"config:\n  vardmote:import: {{sundsvall-transcoding-location: {uri}}}\n",
    )
    env = {"VARDMOTE_PROJECT_DIR": str(project_copy)}
    result = CliRunner().invoke(app, ["preview", "--stack", "rvn-test", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["changeSummary"] == {"create": len(document["steps"]) - 1, "import": 1}
    tree = CliRunner().invoke(app, ["preview", "--stack", "rvn-test"], env=env)
    assert "resources to create, 1 to import)" in tree.stdout.splitlines()[0]


def test_the_hypervisors_credential_is_among_the_secrets_the_preview_says_are_missing(project_copy: Path) -> None:
    result = CliRunner().invoke(
        app, ["preview", "--stack", "rvn-test"], env={"VARDMOTE_PROJECT_DIR": str(project_copy)}
    )
    assert result.exit_code == 0
    assert "note: vsphere:password is not set for rvn-test" in result.stderr


def test_the_trunks_password_is_among_the_secrets_the_preview_says_are_missing_where_it_is_needed(
    project_copy: Path,
) -> None:
    env = {"VARDMOTE_PROJECT_DIR": str(project_copy)}
    deployed = CliRunner().invoke(app, ["preview", "--stack", "rvn-test"], env=env)
    assert deployed.exit_code == 0
    assert (
        "note: vardmote:sipTrunkPassword is not set for rvn-test; `pulumi up` stops until "
        "`pulumi config set --secret vardmote:sipTrunkPassword`"
    ) in deployed.stderr
    # The lab's trunk is a stand-in that makes its own credential: its stack needs none.
    lab = CliRunner().invoke(app, ["preview", "--stack", "lab"], env=env)
    assert lab.exit_code == 0
    assert "sipTrunkPassword" not in lab.stderr


def test_the_lab_may_play_its_trunk_over_tcp(project_copy: Path) -> None:
    edit_stack(project_copy, "lab", "        username: lab\n", "        username: lab\n        transport: tcp\n")
    assert load_stack_file(project_copy, "lab").platform().gateway.sip_trunk.transport == "tcp"
