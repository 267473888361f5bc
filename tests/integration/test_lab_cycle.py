"""The whole lab cycle on real hosts, as the docs tell regional IT to run it: `lab up`, `pulumi up`
(the real engine configuring the Management API the lab serves), `deploy` from the deployed stack's
outputs, its idempotent re-run, `verify`, broken roles caught, changes under the engine (an update in
place, an identity change whose dependants survive), `refresh`, `pulumi destroy` leaving the API as a
fresh one, and `lab down` leaving nothing.

Needs root, systemd-nspawn, debootstrap and nftables (scripts/bootstrap.sh installs them), the Debian
mirror and the Pulumi engine; `.ci/run` runs it. The base image is cached in /var/cache/vardmote/lab (or
VARDMOTE_LAB_IMAGE_CACHE) and reused; the lab and the stack's state live in temporary folders and are
removed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.pulumi_harness import Engine, engine_env, lab_engine, lab_project_copy, require_engine
from vardmote.core.namespaces import python_module_in
from vardmote.core.playbooks import PlaybookResult, run_playbook
from vardmote.lab import appliances, containers, internet, lifecycle
from vardmote.lab.layout import CA_PUBLISHED, LAB_DIR_ENV, LabLayout
from vardmote.lab.network import IP_FORWARD
from vardmote.lab.state import load_state
from vardmote.platform.engine import LAB_STACK, lab_secret
from vardmote.platform.pexip.api import Connection, ManagementApi
from vardmote.platform.pexip.api_schema import api_schema
from vardmote.platform.pexip.protocol import PexipApiError
from vardmote.platform.stack_files import project_dir
from vardmote.verify import readiness_page

VARDMOTE = str(Path(sys.executable).with_name("vardmote"))
NEEDED = ("systemd-nspawn", "debootstrap", "nft")

# CI sets VARDMOTE_REQUIRE_LAB=1: there, a lab that cannot run is a failure, never a skip.
REQUIRED = os.environ.get("VARDMOTE_REQUIRE_LAB") == "1"
MANAGEMENT_URL = "https://10.231.0.10/"

require_engine()


def _cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root"
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    return f"the lab needs {', '.join(missing)} (scripts/bootstrap.sh installs them)" if missing else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabLayout]:
    reason = _cannot_run()
    if reason:
        (pytest.fail if REQUIRED else pytest.skip)(reason)
    lab_dir = tmp_path_factory.mktemp("lab") / "lab"
    # The lab's directory and the engine's homes, for this process and the commands it starts alike.
    homes = {LAB_DIR_ENV: str(lab_dir), **{k: v for k, v in engine_env(lab_dir.parent).items() if k in HOME_KEYS}}
    previous = {key: os.environ.get(key) for key in homes}
    os.environ.update(homes)
    layout = LabLayout.from_environment()
    if lifecycle.leftovers(layout):
        (pytest.fail if REQUIRED else pytest.skip)(
            f"a lab is already up on this machine: {lifecycle.leftovers(layout)}"
        )
    forward_before = IP_FORWARD.read_text(encoding="ascii")
    try:
        yield layout
    finally:
        left = lifecycle.down(layout, lambda _: None)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert left == [], f"down left {left}"
    assert IP_FORWARD.read_text(encoding="ascii") == forward_before


HOME_KEYS = ("PULUMI_HOME", "XDG_DATA_HOME")


@pytest.fixture(scope="module")
def engine(lab: LabLayout) -> Iterator[Engine]:
    """The lab stack under the real engine, in the real project folder; destroyed before the lab goes."""
    project = project_dir()
    stack_file = project / f"Pulumi.{LAB_STACK}.yaml"
    before = stack_file.read_bytes()
    engine = lab_engine(project, Path(os.environ["XDG_DATA_HOME"]).parent)
    try:
        yield engine
    finally:
        engine.run("destroy", "--yes", "--skip-preview", check=False)
    assert stack_file.read_bytes() == before, f"the engine rewrote {stack_file}"


def management_api() -> ManagementApi:
    """The lab's Management API as a client outside Pulumi reaches it: TLS verified by the lab's CA."""
    connection = {"url": MANAGEMENT_URL, "username": "admin", "verify_tls": True, "ca_bundle": str(CA_PUBLISHED)}
    return ManagementApi(Connection.from_inputs(connection, lab_secret("vardmote:pexipPassword")))


def api_contents() -> dict[str, Any]:
    """Every object of every resource the program touches, and the singleton, as the API has them."""
    with management_api() as api:
        contents: dict[str, Any] = {
            name: sorted(str(obj.get("resource_uri")) for obj in api.list(name))
            for name, spec in api_schema().root.items()
            if spec.kind == "collection"
        }
        contents["global"] = api.get("/api/admin/configuration/v1/global/1/")
    return contents


FRESH_API: dict[str, Any] = {}


def vardmote(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VARDMOTE, *arguments], capture_output=True, text=True, check=False, timeout=900)


def deploy(layout: LabLayout, extravars: dict[str, Any] | None = None, limit: str | None = None) -> PlaybookResult:
    return run_playbook("site.yml", extravars or {}, inventory=layout.inventory_dir, forks=10, limit=limit)


def changed(result: PlaybookResult) -> int:
    return sum(counts.get("changed", 0) for counts in result.stats.values())


def _nspawns(host: str) -> list[int]:
    return [
        pid
        for pid in containers.running_pids(host)
        if Path(f"/proc/{pid}/comm").read_text(encoding="ascii").strip() == "systemd-nspawn"
    ]


def test_an_up_killed_half_way_is_completed_by_the_next(lab: LabLayout) -> None:
    killed = subprocess.Popen([VARDMOTE, "lab", "up"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # on a machine without the cached image, debootstrap runs first
    while time.monotonic() < deadline and len(load_state(lab.state_file).hosts) < 3:
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    assert 0 < len(load_state(lab.state_file).hosts) < 6, "the up was meant to be killed half-way"

    state = lifecycle.up(lab, project_dir(), 120, lambda _: None)
    assert len(state.hosts) == 6
    for host in state.hosts:  # each host booted once: none twice over the same root and namespace
        assert _nspawns(host.name) == [host.pid]


def test_up_boots_every_host_of_the_lab_stack_and_a_second_up_is_harmless(lab: LabLayout) -> None:
    state = lifecycle.up(lab, project_dir(), 120, lambda _: None)
    names = sorted(host.name for host in state.hosts)
    assert names == ["lab-conf-01", "lab-edge-01", "lab-gateway-01", "lab-pexmgr-01", "lab-portal-01", "lab-turn-01"]
    pids = {host.name: host.pid for host in state.hosts}

    again = lifecycle.up(lab, project_dir(), 60, lambda _: None)
    assert {host.name: host.pid for host in again.hosts} == pids  # the running hosts were kept

    hosts, network = lifecycle.status(lab)
    assert all(host.running and host.ssh_port_open for host in hosts)
    assert {host.name: host.serves for host in hosts if host.serves is not None} == {
        "lab-pexmgr-01": True,
        "lab-conf-01": True,
        "lab-edge-01": True,
    }
    assert "nft table ip vardmote_lab" in network


def test_up_serves_the_management_api_and_the_nodes_upload_pages_and_keeps_them(lab: LabLayout) -> None:
    serving = {host: appliances.running(host) for host in ("lab-pexmgr-01", "lab-conf-01", "lab-edge-01")}
    assert all(serving.values()), serving
    lifecycle.up(lab, project_dir(), 60, lambda _: None)
    assert {host: appliances.running(host) for host in serving} == serving  # kept, not started twice
    FRESH_API.update(api_contents())  # over TLS from the lab's CA, with the stack's own password
    assert FRESH_API["licence"] == []
    wrong = Connection(url=MANAGEMENT_URL, username="admin", password="wrong", retries=0, ca_bundle=str(CA_PUBLISHED))
    with ManagementApi(wrong) as api, pytest.raises(PexipApiError) as refused:
        api.get("/api/admin/configuration/v1/global/1/")
    assert refused.value.status == 401


def test_pulumi_up_configures_the_lab_through_its_management_api(lab: LabLayout, engine: Engine) -> None:
    offline = json.loads(vardmote("preview", "--stack", LAB_STACK, "--format", "json").stdout)
    expected = sorted(step["urn"] for step in offline["steps"])
    engine.run("up", "--yes", "--skip-preview")
    # The state also holds the provider the engine made for the dynamic resources.
    declared = [r["urn"] for r in engine.state() if not r["type"].startswith("pulumi:providers:")]
    assert sorted(declared) == expected
    contents = api_contents()
    with management_api() as api:
        locations = {obj["name"] for obj in api.list("system_location")}
        nodes = {obj["name"]: obj for obj in api.list("worker_vm")}
        statuses = {name: api.status("worker_vm", int(obj["id"]))["sync_status"] for name, obj in nodes.items()}
        rooms = {obj["name"] for obj in api.list("conference")}
        aliases = {obj["alias"] for obj in api.list("conference_alias")}
    assert locations == {"Lab transcoding", "Lab edge"}
    assert statuses == {"lab-conf-01": "SYNCED", "lab-edge-01": "SYNCED"}  # bootstrapped through their pages
    assert rooms == {"Testsamtal"}
    assert aliases == {"test", "test@lab.vardmote.example"}
    assert len(contents["licence"]) == 1
    assert contents["global"] != FRESH_API["global"]
    # The engine's outputs are the offline run's, so the lab's hosts are the ones `lab up` made.
    assert engine.outputs()["ansible_inventory"] == offline["outputs"]["ansible_inventory"]


def test_a_second_pulumi_up_changes_nothing(engine: Engine) -> None:
    engine.run("up", "--yes", "--expect-no-changes")
    again = json.loads(engine.run("preview", "--json").stdout)
    assert set(again["changeSummary"]) == {"same"}


def test_first_deploy_configures_every_host_and_the_second_changes_nothing(lab: LabLayout) -> None:
    first = deploy(lab)
    assert first.ok, first.failed_tasks
    assert len(first.stats) == 6
    assert changed(first) > 0

    second = vardmote("deploy", "--stack", "lab")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "the deployed lab stack's outputs" in second.stdout  # `pulumi up --stack lab` ran above
    assert "6 hosts configured, changed=0" in second.stdout, second.stdout[-3000:]


def test_verify_passes_on_the_deployed_lab(lab: LabLayout) -> None:
    result = vardmote("verify", "--stack", "lab")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "every check passed" in result.stdout
    assert " FAILED" not in result.stdout


def _from_home(script: str) -> subprocess.CompletedProcess[str]:
    """A Python snippet run in the patient's home (the `vmlab-home` namespace, behind its router)."""
    command = ["ip", "netns", "exec", internet.HOME.netns, sys.executable, "-c", script]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


_CONNECT = """
import socket, sys
try:
    socket.create_connection(("turn.lab.vardmote.example", int(sys.argv[1])), timeout=3).close()
    print("open")
except OSError as err:
    print("blocked", err)
"""


def _home_connects(port: int) -> bool:
    said = _from_home(_CONNECT.replace("sys.argv[1]", str(port))).stdout
    return said.startswith("open")


def test_the_home_reaches_the_portal_at_its_static_nat_address_over_443_only(lab: LabLayout) -> None:
    fetch = f"""
import socket, ssl, urllib.request
print(socket.gethostbyname("portal.lab.vardmote.example"))
context = ssl.create_default_context(cafile="{CA_PUBLISHED}")
print(urllib.request.urlopen("https://portal.lab.vardmote.example/robots.txt", context=context, timeout=10).status)
"""
    said = _from_home(fetch)
    assert said.stdout.split() == ["198.51.100.11", "200"], said.stdout + said.stderr
    access_log = lab.root_dir("lab-turn-01") / "var" / "log" / "nginx" / "access.log"
    # The edge sees the home router's public address, not the home's LAN address nor the lab's bridge.
    assert f"{internet.HOME.public} - - " in access_log.read_text(encoding="utf-8").splitlines()[-1]
    assert not _home_connects(5349), "the home lets only TCP/443 out, but TURN's own TLS port answered"
    try:
        assert vardmote("lab", "home", "open").returncode == 0
        assert _home_connects(5349), "an open home reaches every port of the edge's public address"
        assert vardmote("lab", "home", "closed").returncode == 0
        assert not _home_connects(443), "a closed home still reached 443"
    finally:
        assert vardmote("lab", "home", "web").returncode == 0
    assert _home_connects(443)


def _readiness(lab: LabLayout, *, cut_after_load: bool = False) -> tuple[int, dict[str, Any]]:
    """The readiness page from the home, as the technician runs it from a link `room readiness-link` made."""
    secret = _lab_secret_var(lab, "edge_turn_shared_secret")
    made = subprocess.run(
        [VARDMOTE, "room", "readiness-link", "--stack", "lab", "--valid-for", "30m"],
        capture_output=True, text=True, check=True, env={**os.environ, "VARDMOTE_TURN_SHARED_SECRET": secret},
    )  # fmt: skip
    command = python_module_in(internet.HOME.netns, "vardmote.verify.readiness_page", "--ca", str(CA_PUBLISHED))
    command += ["--wait-before-start"] if cut_after_load else []
    page = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert page.stdin is not None
    assert page.stderr is not None
    page.stdin.write(made.stdout.strip() + "\n")
    page.stdin.flush()
    if cut_after_load:
        for line in page.stderr:
            if line.startswith(readiness_page.PAGE_LOADED):
                break
        assert vardmote("lab", "home", "closed").returncode == 0
        page.stdin.write("\n")
        page.stdin.flush()
    out, err = page.communicate(timeout=240)
    assert out, err
    return page.returncode, json.loads(out)


def test_the_readiness_page_from_the_home_green_open_amber_over_443_red_when_cut(lab: LabLayout) -> None:
    try:
        assert vardmote("lab", "home", "open").returncode == 0
        level, state = _readiness(lab)
        assert (level, state["verdict"]["level"]) == (0, "green"), state["verdict"]
        assert vardmote("lab", "home", "web").returncode == 0  # only TCP/443 and DNS: TURN over UDP is blocked
        level, state = _readiness(lab)
        assert (level, state["verdict"]["level"]) == (1, "amber"), state["verdict"]
        checks = {check["id"]: check for check in state["checks"]}
        assert (checks["turn-udp"]["status"], checks["turn-tls"]["status"]) == ("fail", "ok"), checks
        level, state = _readiness(lab, cut_after_load=True)
        assert (level, state["verdict"]["level"]) == (2, "red"), state["verdict"]
        assert any("Portalen nås inte" in reason for reason in state["verdict"]["reasons"]), state["verdict"]
    finally:
        assert vardmote("lab", "home", "web").returncode == 0


def _lab_secret_var(lab: LabLayout, name: str) -> str:
    return str(yaml.safe_load((lab.inventory_dir / "30-secrets.yml").read_text(encoding="utf-8"))["all"]["vars"][name])


def _browser_call(lab: LabLayout, room: str) -> dict[str, Any]:
    command = python_module_in(internet.HOME.netns, "vardmote.verify.browser_call")
    command += ["--url", "https://portal.lab.vardmote.example/mote/", "--ca", str(CA_PUBLISHED), "--room", room]
    command += [
        "--turn",
        "turns:turn.lab.vardmote.example:443?transport=tcp",
        "--relay-only",
        "--turn-secret-file",
        "-",
    ]
    secret = _lab_secret_var(lab, "edge_turn_shared_secret") + "\n"
    done = subprocess.run(command, input=secret, capture_output=True, text=True, timeout=300, check=False)
    assert done.stdout, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def _phone_call(netns: str, number: str, media_address: str) -> dict[str, Any]:
    command = python_module_in(netns, "vardmote.verify.sip", "call", number)
    command += [
        "--via",
        "127.0.0.1:5060",
        "--domain",
        "lab.vardmote.example",
        "--media-address",
        media_address,
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def test_a_booked_room_is_joined_from_home_in_browsers_and_by_phone(lab: LabLayout, engine: Engine) -> None:
    """Routine 4.2.4: staff book the room, the patient and a relative join it by browser from home (media
    through TURN over 443 only) and a relative by phone through the operator's trunk."""
    at = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 7 * 86400))
    try:
        _join_a_booked_room(lab, at)
    finally:
        _cancel_booking("Vårdmöte LAB-CALL-0001")  # its identity-provider groups can go with the stack


def _cancel_booking(name: str) -> None:
    """Remove a booked room and its aliases, as staff cancelling the meeting in the portal would."""
    with management_api() as api:
        room = api.find("conference", {"name": name})
        if room is None:
            return
        for alias in list(api.list("conference_alias")):
            if alias["conference"] == room["resource_uri"]:
                api.delete(alias["resource_uri"])
        api.delete(room["resource_uri"])


def _join_a_booked_room(lab: LabLayout, at: str) -> None:
    booked = subprocess.run(
        [VARDMOTE, "room", "book", "LAB-CALL-0001", "--stack", "lab", "--at", at, "--invitation", "sip-mote"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "VARDMOTE_PEXIP_PASSWORD": lab_secret("vardmote:pexipPassword")},
    )  # fmt: skip
    assert booked.returncode == 0, booked.stdout + booked.stderr
    room = booked.stdout.split("room ", 1)[1].split()[0]
    assert room.isdigit(), booked.stdout
    assert f"phone alias: +46600000{room}" in booked.stdout
    call = _browser_call(lab, room)
    assert call["ok"], (call.get("failed_hop"), call.get("detail"))
    for participant in call["participants"]:
        received = [peer["bytes_received_growth"] for peer in participant["peers"] if peer["role"] == "subscriber"]
        assert received, participant
        assert all(growth["audio"] > 0 and growth["video"] > 0 for growth in received), participant
        assert {peer["relay_protocol"] for peer in participant["peers"]} == {"tls"}, participant
    phone = _phone_call(internet.OPERATOR.netns, f"+46600000{room}", internet.OPERATOR.address)
    assert phone["ok"], phone["problem"]
    assert phone["rtp"]["far_end_received"] == phone["rtp"]["came_back"] == phone["rtp"]["sent"], phone["rtp"]


def test_verify_names_the_hop_when_turn_on_443_or_the_trunk_route_breaks(lab: LabLayout) -> None:
    # The edge no longer knows the TURN realm's name: a TURN hello on 443 reaches HTTPS, not coturn.
    assert deploy(lab, {"edge_turn_realm": "turn-elsewhere.lab.vardmote.example"}, limit="lab-turn-01").ok
    broken_turn = vardmote("verify", "--stack", "lab", "--select", "patient_at_home")
    assert broken_turn.returncode == 1
    assert "a browser at home (vmlab-home): TURN allocation:" in broken_turn.stdout, broken_turn.stdout[-3000:]
    # The gateway takes another number range for its rooms: the operator's call reaches no room.
    assert deploy(lab, {"gateway_sip_trunk_dial_in_prefix": "+46699999"}, limit="lab-gateway-01").ok
    broken_trunk = vardmote("verify", "--stack", "lab", "--select", "dials_in")
    assert broken_trunk.returncode == 1
    assert "gateway answered 404" in broken_trunk.stdout, broken_trunk.stdout[-3000:]
    repaired = deploy(lab, limit="lab-turn-01,lab-gateway-01")
    assert repaired.ok
    result = vardmote("verify", "--stack", "lab", "--select", "call")
    assert result.returncode == 0, result.stdout[-4000:]


def test_verify_names_a_port_a_broken_role_opened(lab: LabLayout) -> None:
    opened = [
        {"name": "portal (HTTPS)", "proto": "tcp", "ports": 443},
        {"name": "left open by mistake", "proto": "tcp", "ports": 8080},
    ]
    assert deploy(lab, {"baseline_firewall_allow": opened}, limit="lab-portal-01").ok
    result = vardmote("verify", "--stack", "lab", "--select", "dropped and lab-portal-01")
    assert result.returncode == 1
    assert (
        "lab-portal-01: the firewall must drop these TCP ports from lab-conf-01 (10.231.0.74), "
        "but 8080 was refused" in result.stdout
    )


def test_verify_names_tls_1_0_a_broken_role_allowed(lab: LabLayout) -> None:
    weakened = {"portal_tls_protocols": ["TLSv1", "TLSv1.2", "TLSv1.3"], "portal_tls_ciphers": "DEFAULT:@SECLEVEL=0"}
    assert deploy(lab, weakened, limit="lab-portal-01").ok
    result = vardmote("verify", "--stack", "lab", "--select", "old_tls and lab-portal-01")
    assert result.returncode == 1
    assert "lab-portal-01:443 accepted TLSv1: only TLS 1.2 and 1.3 are allowed" in result.stdout


def test_check_mode_shows_the_drift_and_changes_nothing(lab: LabLayout) -> None:
    checked = vardmote("deploy", "--stack", "lab", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "6 hosts configured, would change=" in checked.stdout
    assert "would change=0" not in checked.stdout  # the weakened portal differs from its role
    still_broken = vardmote("verify", "--stack", "lab", "--select", "old_tls and lab-portal-01")
    assert still_broken.returncode == 1


def test_a_deploy_repairs_what_was_broken(lab: LabLayout) -> None:
    repaired = deploy(lab, limit="lab-portal-01")
    assert repaired.ok
    assert changed(repaired) > 0
    result = vardmote("verify", "--stack", "lab", "--select", "lab-portal-01")
    assert result.returncode == 0, result.stdout[-4000:]
    checked = vardmote("deploy", "--stack", "lab", "--check")
    assert checked.returncode == 0
    assert "6 hosts configured, would change=0" in checked.stdout


def test_a_field_the_api_can_change_is_updated_in_place_under_the_engine(engine: Engine, tmp_path: Path) -> None:
    with management_api() as api:
        (rule,) = api.list("gateway_routing_rule")
    changed = lab_project_copy(tmp_path, [(r"^(\d{6,10})@lab", r"^(\d{6,12})@lab")])
    result = engine.run("up", "--yes", "--skip-preview", project=changed)
    assert "1 updated" in result.stdout, result.stdout
    with management_api() as api:
        (after,) = api.list("gateway_routing_rule")
    assert after["resource_uri"] == rule["resource_uri"]  # the same object, changed in place
    assert after["match_string"] == r"^(\d{6,12})@lab\.vardmote\.example$"


def test_a_changed_identity_makes_a_new_object_and_its_dependants_survive(engine: Engine, tmp_path: Path) -> None:
    """A DNS server is known by its address: another address is another object. The locations that
    name it stay the same objects and name the new one."""
    with management_api() as api:
        (old_dns,) = api.list("dns_server")
        locations = {obj["name"]: obj["resource_uri"] for obj in api.list("system_location")}
    changed = lab_project_copy(tmp_path, [("dns_servers: [10.231.0.1]", "dns_servers: [10.231.0.2]")])
    engine.run("up", "--yes", "--skip-preview", project=changed)
    with management_api() as api:
        (new_dns,) = api.list("dns_server")
        after = {obj["name"]: obj for obj in api.list("system_location")}
    assert new_dns["address"] == "10.231.0.2"
    assert new_dns["resource_uri"] != old_dns["resource_uri"]
    assert {name: obj["resource_uri"] for name, obj in after.items()} == locations
    for location in after.values():
        assert [server["resource_uri"] for server in location["dns_servers"]] == [new_dns["resource_uri"]]
    # Back to the stack as committed: the original address is a new object again.
    engine.run("up", "--yes", "--skip-preview")
    engine.run("up", "--yes", "--expect-no-changes")


def test_refresh_finds_no_drift(engine: Engine) -> None:
    refreshed = engine.run("refresh", "--yes", "--expect-no-changes")
    assert "unchanged" in refreshed.stdout


def test_pulumi_destroy_leaves_the_api_as_a_fresh_one(engine: Engine) -> None:
    assert FRESH_API, "the API's fresh contents were read when the lab came up"
    engine.run("destroy", "--yes", "--skip-preview")
    assert engine.state() == []
    assert api_contents() == FRESH_API  # no object left, the singleton back at its defaults
