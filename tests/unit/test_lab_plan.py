"""The lab's plan and files, without root: hosts from the stack, names, keys, certificates, inventory."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import paramiko
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from vardmote.cli.app import app
from vardmote.lab import containers as lab_containers
from vardmote.lab import image, lifecycle
from vardmote.lab import internet as lab_internet
from vardmote.lab import network as lab_network
from vardmote.lab.certificates import ensure_ca, ensure_host_certificate
from vardmote.lab.hosts import LabHost, hosts_from_outputs, lab_stack_outputs
from vardmote.lab.layout import LAB_DIR_ENV, LabLayout
from vardmote.lab.ssh_access import new_key_pair, wait_for_ssh
from vardmote.lab.stack_inventory import InventoryMissing, inventory_for
from vardmote.lab.state import LabState, load_state, save_state
from vardmote.lab.system import LabError, run_with_progress
from vardmote.platform.stack_files import project_dir
from vardmote.verify.model import load_hosts


@pytest.fixture(scope="module")
def outputs() -> dict[str, Any]:
    return lab_stack_outputs(project_dir())


def test_every_host_of_the_lab_stack_gets_an_address_in_its_subnet_and_unique_names(outputs: dict[str, Any]) -> None:
    hosts = hosts_from_outputs(outputs)
    assert [host.name for host in hosts] == [
        "lab-pexmgr-01", "lab-conf-01", "lab-edge-01", "lab-turn-01", "lab-portal-01", "lab-gateway-01",
    ]  # fmt: skip
    for host in hosts:
        network = ipaddress.ip_network(host.network)
        assert ipaddress.ip_address(host.address) in network
        assert ipaddress.ip_address(host.gateway) in network
        assert host.interface == f"{host.address}/{network.prefixlen}"
        assert len(host.veth) <= 15  # the kernel's limit for interface names
    assert len({host.veth for host in hosts}) == len({host.mac for host in hosts}) == len(hosts)
    assert hosts[3].gateway == "10.231.0.129"  # lab-turn-01 in the DMZ


def test_a_node_on_a_network_the_plan_lacks_is_named(outputs: dict[str, Any]) -> None:
    broken = {**outputs, "address_plan": [net for net in outputs["address_plan"] if net["role"] != "dmz"]}
    with pytest.raises(Exception, match=r"node lab-edge-01: no dmz network at site lab in the plan"):
        hosts_from_outputs(broken)


def test_lab_commands_say_they_need_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv(LAB_DIR_ENV, str(tmp_path / "lab"))
    for command in ("up", "status", "down"):
        result = CliRunner().invoke(app, ["lab", command])
        assert result.exit_code == 1
        assert f"`vardmote lab {command}` needs root" in " ".join(result.stderr.split())
    assert not (tmp_path / "lab").exists()  # nothing was made


def test_deploy_and_verify_say_where_an_inventory_comes_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LAB_DIR_ENV, str(tmp_path / "lab"))
    with pytest.raises(InventoryMissing, match=r"make the lab first with `vardmote lab up`"):
        inventory_for("lab", None)
    with pytest.raises(InventoryMissing, match=r"pulumi stack output --stack rvn-prod --json ansible_inventory"):
        inventory_for("rvn-prod", None)
    result = CliRunner().invoke(app, ["deploy", "--stack", "rvn-test"])
    assert result.exit_code == 1
    assert "stack rvn-test: pass --inventory FILE" in result.stderr


def test_the_lab_state_is_written_whole_and_read_back(tmp_path: Path, outputs: dict[str, Any]) -> None:
    state = LabState(ip_forward_before="0", gateways=["10.231.0.1/26"], hosts=[hosts_from_outputs(outputs)[0]])
    save_state(tmp_path / "state.json", state)
    assert load_state(tmp_path / "state.json") == state
    assert [file.name for file in tmp_path.iterdir()] == ["state.json"]  # no temporary left behind
    assert load_state(tmp_path / "missing.json") == LabState()


def test_lab_keys_are_openssh_ed25519_that_paramiko_reads(tmp_path: Path) -> None:
    private, public = new_key_pair("vardmote-lab")
    (tmp_path / "key").write_bytes(private)
    key = paramiko.Ed25519Key.from_private_key_file(str(tmp_path / "key"))
    assert public.split()[:2] == [key.get_name(), key.get_base64()]
    assert public.endswith(" vardmote-lab\n")


def test_host_certificates_verify_against_the_lab_ca_and_name_the_host(tmp_path: Path) -> None:
    variables = ensure_host_certificate(
        tmp_path, "lab-turn-01", "10.231.0.139", ["lab-turn-01.lab.example", "turn.lab"]
    )
    certificate = x509.load_pem_x509_certificate(Path(variables["vardmote_tls_certificate_file"]).read_bytes())
    _, ca = ensure_ca(tmp_path)
    ca_key = ca.public_key()
    assert isinstance(ca_key, ec.EllipticCurvePublicKey)
    certificate.verify_directly_issued_by(ca)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["lab-turn-01.lab.example", "turn.lab"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.231.0.139")]
    assert stat.S_IMODE(os.stat(variables["vardmote_tls_key_file"]).st_mode) == 0o600
    # Made once: a second call keeps the certificate the hosts already have.
    assert ensure_host_certificate(tmp_path, "lab-turn-01", "10.231.0.139", ["x"]) == variables
    assert Path(variables["vardmote_tls_certificate_file"]).read_bytes() == certificate.public_bytes(Encoding.PEM)


def test_coturn_takes_networks_as_address_ranges() -> None:
    # Loaded from its file, as Ansible loads a filter plugin: provisioning/ is an Ansible project, not a package.
    plugin = REPO_ROOT / "provisioning" / "filter_plugins" / "address_range.py"
    spec = importlib.util.spec_from_file_location("address_range_filter", plugin)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    address_range = module.FilterModule().filters()["address_range"]
    assert address_range("10.231.0.64/26") == "10.231.0.64-10.231.0.127"
    with pytest.raises(ValueError, match="has host bits set"):
        address_range("10.231.0.65/26")


def test_verify_reads_the_stack_inventory_and_expects_each_group_s_ports(
    tmp_path: Path, outputs: dict[str, Any]
) -> None:
    (tmp_path / "10-stack.json").write_text(json.dumps(outputs["ansible_inventory"]), encoding="utf-8")
    hosts = {host.name: host for host in load_hosts(tmp_path)}
    assert set(hosts) == {
        "lab-pexmgr-01",
        "lab-conf-01",
        "lab-edge-01",
        "lab-turn-01",
        "lab-portal-01",
        "lab-gateway-01",
    }
    turn = hosts["lab-turn-01"]
    assert turn.groups == ("edge",)
    assert turn.address == "10.231.0.139"
    assert {"tcp/443", "tcp/22"} <= set(turn.expect.listening)
    assert 443 not in turn.expect.closed_tcp  # an intended port is probed as open, not as dropped
    assert 22 in turn.expect.closed_tcp  # lab hosts are no admin source
    conference = hosts["lab-conf-01"]
    assert conference.expect.open_tcp_from == {"8088": ["edge"], "5061": ["gateway"]}
    assert 8088 not in conference.expect.closed_tcp
    assert hosts["lab-gateway-01"].expect.closed_udp == [5060]
    assert turn.var("vardmote_turn_realm") == "turn.lab.vardmote.example"
    with pytest.raises(KeyError, match="lab-turn-01: the inventory sets no edge_turn_shared_secret"):
        turn.var("edge_turn_shared_secret")


def test_the_layout_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LAB_DIR_ENV, str(tmp_path))
    layout = LabLayout.from_environment()
    assert layout.inventory_dir == tmp_path / "inventory"
    assert layout.root_dir("lab-turn-01") == tmp_path / "hosts" / "lab-turn-01" / "root"


def test_waiting_for_ssh_is_time_boxed_and_names_the_silent_host(tmp_path: Path, outputs: dict[str, Any]) -> None:
    layout = LabLayout(lab_dir=tmp_path, image_cache=tmp_path, mirror="http://deb.debian.org/debian")
    (tmp_path / "ssh").mkdir()
    layout.known_hosts.write_text("", encoding="utf-8")
    layout.private_key.write_bytes(new_key_pair("test")[0])
    silent = hosts_from_outputs(outputs)[0].model_copy(update={"address": "127.0.0.9"})
    answered: list[str] = []
    started = time.monotonic()
    result = wait_for_ssh(layout, [silent], 1.5, lambda host: answered.append(host.name))
    assert time.monotonic() - started < 5
    assert answered == []
    assert list(result) == ["lab-pexmgr-01"]
    assert "Unable to connect" in result["lab-pexmgr-01"] or "refused" in result["lab-pexmgr-01"]


def test_a_lab_of_root_s_read_by_another_user_asks_for_sudo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LAB_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(InventoryMissing, match=rf"the lab's files in {tmp_path} are root's: run this with sudo"):
        inventory_for("lab", None)


def test_one_lab_per_machine_a_second_folder_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    owner_file = tmp_path / "owner"
    monkeypatch.setattr(lifecycle, "OWNER_FILE", owner_file)
    monkeypatch.setattr(lab_network, "network_present", lambda: ["link vmlab0"])
    monkeypatch.setattr(lab_containers, "lab_cgroup_hosts", set)  # whatever runs on this machine
    first = LabLayout(lab_dir=tmp_path / "first", image_cache=tmp_path, mirror="http://deb.debian.org/debian")
    second = LabLayout(lab_dir=tmp_path / "second", image_cache=tmp_path, mirror="http://deb.debian.org/debian")
    lifecycle._claim_machine(first)
    lifecycle._claim_machine(first)  # its own lab again: fine
    with pytest.raises(LabError, match=rf"the lab of {tmp_path / 'first'} is up on this machine; remove it first"):
        lifecycle._claim_machine(second)
    monkeypatch.setattr(lab_network, "network_present", list)  # that lab is gone
    lifecycle._claim_machine(second)
    assert owner_file.read_text(encoding="utf-8") == f"{tmp_path / 'second'}\n"


def test_down_from_another_lab_folder_removes_nothing_of_the_lab_that_is_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    owner_file = tmp_path / "owner"
    owner_file.write_text(f"{tmp_path / 'up'}\n", encoding="utf-8")
    monkeypatch.setattr(lifecycle, "OWNER_FILE", owner_file)
    monkeypatch.setattr(lifecycle, "require_root", lambda action: None)
    monkeypatch.setattr(lab_network, "network_present", list)
    monkeypatch.setattr(lab_containers, "lab_cgroup_hosts", lambda: {"lab-portal-01"})  # its hosts run
    removed: list[str] = []  # what down would have removed, had it gone ahead (nothing of this machine's)
    for module, name in (
        (lab_containers, "stop"),
        (lab_containers, "remove_host_files"),
        (lab_containers, "remove_cgroups"),
        (lab_network, "remove_network"),
        (lab_internet, "remove_netns_config"),
    ):
        monkeypatch.setattr(module, name, lambda *args, name=name: removed.append(name))
    other = LabLayout(lab_dir=tmp_path / "other", image_cache=tmp_path, mirror="http://deb.debian.org/debian")
    with pytest.raises(LabError, match=rf"the lab that is up is the one of {tmp_path / 'up'}, not of {other.lab_dir}"):
        lifecycle.down(other, lambda line: None)
    assert removed == []
    assert owner_file.exists()


def test_a_long_step_shows_its_progress_and_fails_with_its_last_line() -> None:
    seen: list[str] = []
    with pytest.raises(LabError, match=r"`sh -c .*` failed: E: the mirror is unreachable$"):
        run_with_progress(["sh", "-c", "echo 'I: one'; echo; echo 'E: the mirror is unreachable'; exit 3"], seen.append)
    assert seen == ["I: one", "E: the mirror is unreachable"]
    shown: list[str] = []
    on_line = image._phases_of_debootstrap(shown.append)
    for line in ["I: Retrieving a", "I: Validating a", "I: Retrieving b", "W: noise", "I: Unpacking a", "I:"]:
        on_line(line)
    assert shown == ["debootstrap: Retrieving a", "debootstrap: Validating a", "debootstrap: Unpacking a"]


def test_the_deployed_stacks_doubles_are_the_inventorys_integers_again() -> None:
    from vardmote.lab.stack_inventory import whole_numbers  # noqa: PLC0415

    engine_gave = {"all": {"vars": {"ports": [5061.0, 443.0], "ratio": 0.5, "name": "lab"}}}
    assert whole_numbers(engine_gave) == {"all": {"vars": {"ports": [5061, 443], "ratio": 0.5, "name": "lab"}}}
    assert isinstance(whole_numbers(engine_gave)["all"]["vars"]["ports"][0], int)


def test_a_lab_whose_stack_was_never_deployed_takes_the_planned_inventory_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With no `pulumi up --stack lab` in the lab's backend, `deploy` uses what `lab up` wrote, unchanged."""
    lab_dir = tmp_path / "lab"
    (lab_dir / "inventory").mkdir(parents=True)
    planned = '{"all": {"children": {}}}'
    (lab_dir / "inventory" / "10-stack.json").write_text(planned, encoding="utf-8")
    monkeypatch.setenv(LAB_DIR_ENV, str(lab_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "no-data"))  # no backend there
    found = inventory_for("lab", None)
    assert found.path == lab_dir / "inventory"
    assert "the lab stack as planned: no `pulumi up --stack lab` in" in found.source
    assert str(tmp_path / "no-data" / "vardmote" / "pulumi-state") in found.source
    assert (lab_dir / "inventory" / "10-stack.json").read_text(encoding="utf-8") == planned


def test_status_counts_ssh_only_on_a_running_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With the lab's network gone, whatever answers a host's address on port 22 is not the host."""
    layout = LabLayout(lab_dir=tmp_path / "lab", image_cache=tmp_path, mirror="http://deb.debian.org/debian")
    host = LabHost(name="lab-portal-01", role="portal", address="10.231.0.12", network="10.231.0.0/26",
                   gateway="10.231.0.1", index=2)  # fmt: skip
    save_state(layout.state_file, LabState(hosts=[host]))
    monkeypatch.setattr(lifecycle, "require_root", lambda action: None)
    monkeypatch.setattr(lifecycle, "tcp_port_answers", lambda address, port: True)  # something answers
    monkeypatch.setattr(lab_network, "network_present", list)
    monkeypatch.setattr(lab_containers, "nspawn_pid", lambda name: None)  # the host is not running
    (stopped,), _ = lifecycle.status(layout)
    assert (stopped.running, stopped.ssh_port_open) == (False, False)
    monkeypatch.setattr(lab_containers, "nspawn_pid", lambda name: 4242)
    (running,), _ = lifecycle.status(layout)
    assert (running.running, running.ssh_port_open) == (True, True)
