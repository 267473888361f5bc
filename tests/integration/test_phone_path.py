"""The phone path of a call, for real on this machine: the gateway's own Kamailio configuration (the
gateway role's templates rendered by Ansible with the role's defaults), the operator end playing the
trunk and the room end playing a conferencing node's SIP side, each a TLS Kamailio in front of SIPp, on
loopback addresses with a throwaway CA. Every call's RTP is counted both ways."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from vardmote.core.ports import tcp_port_answers
from vardmote.core.processes import process_table
from vardmote.lab.certificates import ensure_host_certificate
from vardmote.verify.sip.ends import EndSettings, RunningEnd
from vardmote.verify.sip.front import TlsFiles
from vardmote.verify.sip.probe import CallReport, place_call
from vardmote.verify.sip.processes import Program, require
from vardmote.verify.sip.sipp import CallFiles, received_bodies, sent_bodies

ROLE = REPO_ROOT / "provisioning" / "roles" / "gateway"
KAMAILIO_TLS_MODULE = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so")


def _missing() -> str | None:
    for program, package in (("kamailio", "kamailio"), ("sipp", "sip-tester")):
        try:
            require(program, package)
        except RuntimeError as error:
            return str(error)
    if not KAMAILIO_TLS_MODULE.exists():
        return "Kamailio's TLS module is not installed (Debian package kamailio-tls-modules)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=f"the phone path needs them: {_missing()}")

DOMAIN = "lab.vardmote.example"
PREFIX = "+46606000"
ROOM_NUMBER = "482913"
GATEWAY, ROOM, TRUNK, STRANGER = "127.0.0.10", "127.0.0.20", "127.0.0.30", "127.0.0.40"
SIP_TLS = 5061
USERNAME = "lab"
REALM = "trunk.lab.vardmote.example"
# Characters Kamailio's configuration language must have escaped, so quoting is proved too.
PASSWORD = 'Trunk-"lösen"\\2026'
PHONE = "+46701234567"
CALLER_ID = "+46606000100"  # the number the region's calls out present, one of its own


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TlsFiles]:
    ca = tmp_path_factory.mktemp("phone-ca")
    files = {}
    for host, address in (("gateway", GATEWAY), ("room", ROOM), ("trunk", TRUNK), ("stranger", STRANGER)):
        made = ensure_host_certificate(ca, f"lab-{host}", address, [f"{host}.{DOMAIN}"])
        files[host] = TlsFiles(
            Path(made["vardmote_tls_certificate_file"]),
            Path(made["vardmote_tls_key_file"]),
            Path(made["vardmote_tls_ca_file"]),
        )
    return files


def render_gateway(folder: Path, tls: TlsFiles, listen: str = GATEWAY, **trunk: object) -> Path:
    """The gateway role's kamailio.cfg (and its tls.cfg, dispatcher list and trunk password file) rendered
    by Ansible from the role's own templates and defaults, as the role's tasks render them, and checked
    with `kamailio -c` as the role's `validate` does."""
    config_dir = folder / "etc"
    (config_dir / "tls").mkdir(parents=True)
    for source, name in ((tls.certificate, "gateway.pem"), (tls.key, "gateway.key"), (tls.ca, "ca.pem")):
        shutil.copy(source, config_dir / "tls" / name)
    inventory = {
        "ansible_host": listen,
        "ansible_python_interpreter": sys.executable,
        "vardmote_domain": DOMAIN,
        "vardmote_conferencing_nodes": [ROOM],
        "vardmote_tls_certificate_file": str(tls.certificate),
        "vardmote_tls_key_file": str(tls.key),
        "vardmote_tls_ca_file": str(tls.ca),
        "vardmote_tls_ciphers": "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
        # What vardmote.platform.inventory.sip_trunk exports for the gateway group, plus the addresses
        # the lab's operator host calls from.
        "vardmote_sip_trunk": {
            "name": "lab-trunk",
            "address": TRUNK,
            "port": SIP_TLS,
            "transport": "tls",
            "username": USERNAME,
            "dial_in_prefix": PREFIX,
            "caller_id": CALLER_ID,
            "source_addresses": [TRUNK],
            **trunk,
        },
        "gateway_config_dir": str(config_dir),
    }
    (folder / "vars.json").write_text(json.dumps(inventory))
    templates = ROLE / "templates"
    playbook = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars_files": [str(ROLE / "defaults" / "main.yml"), str(folder / "vars.json")],
            "tasks": [
                {
                    "name": "The configuration's parts",
                    "ansible.builtin.template": {
                        "src": f"{templates}/{{{{ item }}}}.j2",
                        "dest": "{{ gateway_config_dir }}/{{ item }}",
                        "mode": "0600",
                    },
                    "loop": ["tls.cfg", "dispatcher.list", "trunk-secret.cfg"],
                    "no_log": True,
                },
                {
                    "name": "kamailio.cfg",
                    "ansible.builtin.template": {
                        "src": f"{templates}/kamailio.cfg.j2",
                        "dest": "{{ gateway_config_dir }}/kamailio.cfg",
                        "mode": "0600",
                        "validate": "kamailio -c -f %s",
                    },
                },
            ],
        }
    ]
    (folder / "render.yml").write_text(json.dumps(playbook))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(folder / "render.yml")],
        env={**os.environ, "VARDMOTE_SIP_TRUNK_PASSWORD": PASSWORD, "ANSIBLE_NOCOLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert PASSWORD not in result.stdout + result.stderr
    return config_dir


def start_gateway(config_dir: Path, address: str = GATEWAY) -> Program:
    runtime = config_dir / "run"
    runtime.mkdir()
    command = [require("kamailio", "kamailio"), "-DD", "-E", "-f", str(config_dir / "kamailio.cfg"), "-Y", str(runtime)]
    gateway = Program("gateway", command, config_dir / "kamailio.log")
    try:
        gateway.wait_until(lambda: tcp_port_answers(address, SIP_TLS), 10, f"its TLS socket {address}:{SIP_TLS}")
    except BaseException:
        gateway.stop()
        raise
    return gateway


def processes_under(folder: Path) -> list[int]:
    """PIDs of processes whose command line names `folder` (what this test started and must stop)."""
    return [process.pid for process in process_table() if str(folder) in process.command_line]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("phone-path")
    yield folder
    assert processes_under(folder) == [], "a process of the phone path outlived its test"


@pytest.fixture(scope="module")
def gateway(workspace: Path, pki: dict[str, TlsFiles]) -> Iterator[Program]:
    program = start_gateway(render_gateway(workspace / "gateway", pki["gateway"]))
    yield program
    program.stop()


def end(kind: str, address: str, tls: TlsFiles, folder: Path, inner_port: int, **extra: object) -> RunningEnd:
    settings = EndSettings(
        kind=kind,  # type: ignore[arg-type]
        tls_address=address,
        gateway=f"{extra.pop('gateway', GATEWAY)}:{SIP_TLS}",
        tls=tls,
        media_port=0,
        inner_port=inner_port,
        **extra,  # type: ignore[arg-type]
    )
    return RunningEnd(settings, folder)


@pytest.fixture(scope="module")
def room(gateway: Program, workspace: Path, pki: dict[str, TlsFiles]) -> Iterator[RunningEnd]:
    with end("room", ROOM, pki["room"], workspace / "room", 25060) as running:
        yield running


def operator(folder: Path, tls: TlsFiles, password: str = PASSWORD, challenge: str = "proxy") -> RunningEnd:
    return end(
        "operator", TRUNK, tls, folder, 15060, challenge=challenge, realm=REALM, username=USERNAME, password=password
    )


@pytest.fixture
def trunk(room: RunningEnd, tmp_path: Path, pki: dict[str, TlsFiles]) -> Iterator[RunningEnd]:
    with operator(tmp_path / "trunk", pki["trunk"]) as running:
        yield running


@pytest.fixture
def stranger(room: RunningEnd, tmp_path: Path, pki: dict[str, TlsFiles]) -> Iterator[RunningEnd]:
    """A SIP party that is neither the trunk nor a conferencing node (a PC participant's SIP client)."""
    with end("room", STRANGER, pki["stranger"], tmp_path / "stranger", 35060) as running:
        yield running


def call(through: RunningEnd, number: str, folder: Path) -> CallReport:
    media_address = through.settings.tls_address
    return place_call(proxy=through.proxy, number=number, domain=DOMAIN, media_address=media_address, folder=folder)


def assert_rtp_both_ways(report: CallReport) -> None:
    assert report.problem is None, report.problem
    assert report.rtp is not None
    assert report.rtp.sent == 50
    # Loopback loses nothing: every packet reached the far end, and every echo came back.
    assert report.rtp.far_end_received == 50, report.summary()
    assert report.rtp.came_back == 50, report.summary()


def received_invites(end: RunningEnd) -> list[str]:
    trace = end.folder / "answer-messages.log"
    return [line for line in trace.read_text().splitlines() if line.startswith("INVITE ")] if trace.exists() else []


def received_invite_headers(end: RunningEnd) -> dict[str, str]:
    """The headers of the last INVITE the end's SIPp received (the first value of each, names lowercase)."""
    trace = (end.folder / "answer-messages.log").read_text(errors="replace").replace("\r\n", "\n")
    invite = trace[trace.rindex("\nINVITE ") + 1 :]
    headers: dict[str, str] = {}
    for line in invite.split("\n\n", 1)[0].splitlines()[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    return headers


def test_dial_in_from_the_trunk_reaches_the_room_with_rtp_both_ways(
    trunk: RunningEnd, room: RunningEnd, tmp_path: Path
) -> None:
    before = len(received_invites(room))
    report = call(trunk, PREFIX + ROOM_NUMBER, tmp_path / "call")
    assert_rtp_both_ways(report)
    assert report.media is not None
    assert report.media[0] == ROOM  # the room end's echo answered
    # The conferencing node was asked for the room by its SIP alias.
    assert received_invites(room)[before:] == [f"INVITE sip:{ROOM_NUMBER}@{DOMAIN} SIP/2.0"]
    # The gateway passed the offer through untouched (so an SRTP offer would reach the room as made).
    offer = sent_bodies(CallFiles.under(tmp_path / "call").messages, "INVITE")[-1]
    assert received_bodies(room.folder / "answer-messages.log", "INVITE")[-1] == offer


@pytest.mark.parametrize("challenge", ["proxy", "www"])
def test_dial_out_through_the_trunk_answers_its_challenge_with_rtp_both_ways(
    challenge: str, room: RunningEnd, tmp_path: Path, pki: dict[str, TlsFiles]
) -> None:
    with operator(tmp_path / "trunk", pki["trunk"], challenge=challenge) as trunk:
        report = call(room, PHONE, tmp_path / "call")
        assert_rtp_both_ways(report)
        assert report.media is not None
        assert report.media[0] == TRUNK  # the operator end's echo answered
        invites = received_invites(trunk)
        assert invites == [f"INVITE sip:{PHONE}@{TRUNK}:{SIP_TLS};transport=tls SIP/2.0"]
        # The operator end relays a call to its phone only once its credentials are checked.
        log = (trunk.folder / "kamailio.log").read_text()
        assert f"digest credentials of {USERNAME} accepted for realm {REALM}" in log
        # The operator sees the region's number, not the conferencing node's own From.
        headers = received_invite_headers(trunk)
        assert headers["p-asserted-identity"] == f"<sip:{CALLER_ID}@{TRUNK}>"
        assert headers["from"].startswith(f"<sip:{CALLER_ID}@{TRUNK}>;tag="), headers["from"]


def test_a_wrong_trunk_password_fails_naming_the_challenge(
    room: RunningEnd, tmp_path: Path, pki: dict[str, TlsFiles]
) -> None:
    with operator(tmp_path / "trunk", pki["trunk"], password="not-the-trunks-password") as trunk:
        report = call(room, PHONE, tmp_path / "call")
        assert report.problem == "trunk challenge failed 403: gateway answered 403 Trunk challenge failed"
        assert received_invites(trunk) == []  # the operator's phone never rang


def test_a_number_outside_the_rooms_range_gets_404(trunk: RunningEnd, room: RunningEnd, tmp_path: Path) -> None:
    before = len(received_invites(room))
    for number in ("+46606009999", PREFIX, ROOM_NUMBER):
        report = call(trunk, number, tmp_path / number)
        assert report.problem == "gateway answered 404 Not a number of this region's rooms", number
    assert received_invites(room)[before:] == []


def test_a_phone_number_from_anyone_but_the_trunk_or_a_room_is_refused(
    stranger: RunningEnd, room: RunningEnd, tmp_path: Path
) -> None:
    before = len(received_invites(room))
    for number in (PREFIX + ROOM_NUMBER, PHONE):  # neither dial-in nor dial-out
        report = call(stranger, number, tmp_path / number)
        assert report.problem == "gateway answered 403 Phone numbers only through the operator's trunk", number
    assert received_invites(room)[before:] == []


def test_pc_participants_still_reach_the_rooms_by_their_sip_alias(
    stranger: RunningEnd, room: RunningEnd, tmp_path: Path
) -> None:
    report = call(stranger, ROOM_NUMBER, tmp_path / "call")
    assert_rtp_both_ways(report)
    assert received_invites(room)[-1] == f"INVITE sip:{ROOM_NUMBER}@{DOMAIN} SIP/2.0"


def test_no_answer_from_the_gateway_names_the_tls_hop(
    gateway: Program, tmp_path: Path, pki: dict[str, TlsFiles]
) -> None:
    # An end pointed at an address where no gateway listens.
    with end("room", STRANGER, pki["stranger"], tmp_path / "lost", 45060, gateway="127.0.0.11") as lost:
        report = call(lost, PREFIX + ROOM_NUMBER, tmp_path / "call")
    assert report.problem is not None
    assert report.problem.startswith("no answer from gateway (TLS)"), report.problem


def test_without_source_addresses_the_trunk_is_known_by_the_addresses_of_its_name(
    room: RunningEnd, tmp_path: Path, pki: dict[str, TlsFiles]
) -> None:
    # A second gateway whose trunk is named, not listed: "localhost" resolves to 127.0.0.1.
    config_dir = render_gateway(
        tmp_path / "gateway", pki["gateway"], "127.0.0.11", address="localhost", source_addresses=[]
    )
    assert 'dns_sys_match_ip("localhost", "$si")' in (config_dir / "kamailio.cfg").read_text()
    gateway = start_gateway(config_dir, "127.0.0.11")
    try:
        named = end(
            "operator",
            "127.0.0.1",
            pki["trunk"],
            tmp_path / "named",
            55060,
            gateway="127.0.0.11",
            challenge="proxy",
            realm=REALM,
            username=USERNAME,
            password=PASSWORD,
        )
        with named:
            assert_rtp_both_ways(call(named, PREFIX + ROOM_NUMBER, tmp_path / "call"))
        with end("room", STRANGER, pki["stranger"], tmp_path / "stranger", 35060, gateway="127.0.0.11") as stranger:
            report = call(stranger, PREFIX + ROOM_NUMBER, tmp_path / "refused")
        assert report.problem == "gateway answered 403 Phone numbers only through the operator's trunk"
    finally:
        gateway.stop()


def test_within_a_call_the_gateway_relays_nothing_between_two_outside_parties(
    gateway: Program, pki: dict[str, TlsFiles]
) -> None:
    """A request dressed as part of a call (a To tag, the gateway's own Route), from a party that is no
    conferencing node, to the trunk: the gateway must not relay it (it would be a free path to the
    trunk)."""
    context = ssl.create_default_context(cafile=str(pki["gateway"].ca))
    context.check_hostname = False
    with (
        socket.create_connection((GATEWAY, SIP_TLS), timeout=5, source_address=(STRANGER, 0)) as raw,
        context.wrap_socket(raw) as tls,
    ):
        local_address, local_port = tls.getsockname()[:2]
        tag = uuid.uuid4().hex[:10]
        request = (
            f"INVITE sip:{PHONE}@{TRUNK}:{SIP_TLS};transport=tls SIP/2.0\r\n"
            f"Via: SIP/2.0/TLS {local_address}:{local_port};branch=z9hG4bK{tag};rport\r\n"
            f"Route: <sip:{GATEWAY}:{SIP_TLS};transport=tls;lr>\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:someone@{STRANGER}>;tag={tag}\r\n"
            f"To: <sip:{PHONE}@{DOMAIN}>;tag=earlier-call\r\n"
            f"Call-ID: {uuid.uuid4()}@{STRANGER}\r\n"
            "CSeq: 2 INVITE\r\n"
            f"Contact: <sip:someone@{local_address}:{local_port};transport=tls>\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        tls.sendall(request.encode())
        answer = tls.recv(4096).decode(errors="replace")
    assert answer.splitlines()[0] == "SIP/2.0 403 Not a call with the conferencing nodes"
