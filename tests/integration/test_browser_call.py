"""A real call in real browsers, on this machine: two headless Chromiums (the patient and a relative)
open the web client page over verified HTTPS, join one room on Janus and receive each other's audio and
video, relayed only through coturn over TLS on 443, as from a home network that lets out nothing else.

Everything runs in a network namespace of the test's own (`vmwc-…`, loopback plus a veth interface
carrying the addresses below, so coturn relays to Janus on an address it does not refuse as
loopback). Names resolve through the namespace's own /etc/hosts (`ip netns exec` mounts
/etc/netns/<name>/ over /etc), a name not in it does not resolve at all. The probe runs exactly as the
lab runs it: `ip netns exec NS python -m vardmote.verify.browser_call …`, the secret on stdin.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vardmote.lab.certificates import ensure_host_certificate
from vardmote.verify.chromium import missing_tools

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_ROOT = REPO_ROOT / "provisioning" / "roles" / "portal" / "files" / "web"
JANUS_LIBRARIES = Path("/usr/lib/x86_64-linux-gnu/janus")
NETNS_ETC = Path("/etc/netns")
DEVICE = "vmwc0"
JANUS_ADDRESS, SITE_ADDRESS, TURN_ADDRESS = "10.250.16.1", "10.250.16.2", "10.250.16.3"
# Janus offers a candidate for every address of the interface; a relay denied them all reaches none.
NETWORK_RANGE = "10.250.16.0-10.250.16.255"
# A second site whose conferencing node is gone: its /webapp/ answers 502.
BROKEN_SITE_ADDRESS = "10.250.16.4"
JANUS_API_PORT = 8088
PORTAL_NAME, TURN_NAME, UNKNOWN_NAME = "portal.vmwc.test", "turn.vmwc.test", "saknas.vmwc.test"
BROKEN_NAME = "utan-nod.vmwc.test"
TURN_URL = f"turns:{TURN_NAME}:443?transport=tcp"
TURN_SECRET = "vmwc-turn-shared-secret-" + os.urandom(8).hex()
ROOM = "482913"
START_TIMEOUT_S = 20
PROBE_TIMEOUT_S = 150


def _missing() -> list[str]:
    missing = missing_tools()
    for package, tool in (("janus", "janus"), ("coturn", "turnserver"), ("iproute2", "ip")):
        if shutil.which(tool) is None:
            missing.append(package)
    return missing


pytestmark = [
    pytest.mark.skipif(bool(_missing()), reason=f"needs the Debian packages {_missing()}"),
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]


@dataclass
class Namespace:
    name: str

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.name, *command], check=True, capture_output=True, text=True)

    def start(self, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            return subprocess.Popen(
                ["ip", "netns", "exec", self.name, *command],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_listening(self, process: subprocess.Popen[bytes], address: str, port: int, log: Path) -> None:
        """Until something listens on TCP address:port in the namespace; fails with the log if the
        process ends first."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"{process.args!r} ended ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}"
                )
            listening = self.run("ss", "-Hltn", f"src {address}:{port}").stdout
            if listening.strip():
                return
            time.sleep(0.2)
        pytest.fail(
            f"nothing listens on {address}:{port} after {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}"
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def namespace() -> Iterator[Namespace]:
    name = f"vmwc-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    etc = NETNS_ETC / name
    try:
        etc.mkdir(parents=True)
        (etc / "hosts").write_text(
            "".join(
                f"{address} {name}\n"
                for address, name in (
                    ("127.0.0.1", "localhost"),
                    (SITE_ADDRESS, PORTAL_NAME),
                    (TURN_ADDRESS, TURN_NAME),
                    (BROKEN_SITE_ADDRESS, BROKEN_NAME),
                )
            ),
            encoding="utf-8",
        )
        # No name server answers in the namespace: a name outside its hosts file does not resolve.
        (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n", encoding="utf-8")
        ns = Namespace(name)
        ns.run("ip", "link", "set", "lo", "up")
        # A veth pair with both ends inside (a dummy interface needs a kernel module a container may
        # lack): an interface that is not loopback, for libnice to offer and coturn to relay to.
        ns.run("ip", "link", "add", DEVICE, "type", "veth", "peer", "name", f"{DEVICE}-peer")
        ns.run("ip", "link", "set", f"{DEVICE}-peer", "up")
        for address in (JANUS_ADDRESS, SITE_ADDRESS, TURN_ADDRESS, BROKEN_SITE_ADDRESS):
            ns.run("ip", "address", "add", f"{address}/24", "dev", DEVICE)
        ns.run("ip", "link", "set", DEVICE, "up")
        # Chromium takes a machine whose only non-loopback link has no carrier yet for offline
        # (net::ERR_INTERNET_DISCONNECTED); a veth's carrier comes a moment after "up".
        deadline = time.monotonic() + START_TIMEOUT_S
        while "LOWER_UP" not in ns.run("ip", "link", "show", DEVICE).stdout:
            if time.monotonic() > deadline:
                pytest.fail(f"{DEVICE} in {name} has no carrier after {START_TIMEOUT_S} s")
            time.sleep(0.1)
        yield ns
    finally:
        shutil.rmtree(etc, ignore_errors=True)
        subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    ca = tmp_path_factory.mktemp("ca")
    return {
        "site": ensure_host_certificate(ca, "portal", SITE_ADDRESS, [PORTAL_NAME]),
        "turn": ensure_host_certificate(ca, "turn", TURN_ADDRESS, [TURN_NAME]),
        "broken": ensure_host_certificate(ca, "broken", BROKEN_SITE_ADDRESS, [BROKEN_NAME]),
        # TURN's name, from a CA the browser is not told to trust.
        "stranger": ensure_host_certificate(tmp_path_factory.mktemp("stranger-ca"), "turn", TURN_ADDRESS, [TURN_NAME]),
    }


def _janus_config(folder: Path) -> Path:
    for kind, library in (("plugins", "libjanus_videoroom.so"), ("transports", "libjanus_http.so")):
        (folder / kind).mkdir()
        (folder / kind / library).symlink_to(JANUS_LIBRARIES / kind / library)
    (folder / "none").mkdir()
    (folder / "janus.jcfg").write_text(
        f"""general: {{
\tconfigs_folder = "{folder}"
\tplugins_folder = "{folder / "plugins"}"
\ttransports_folder = "{folder / "transports"}"
\tevents_folder = "{folder / "none"}"
\tloggers_folder = "{folder / "none"}"
\tdebug_level = 4
\tserver_name = "vmwc-conferencing"
}}
media: {{
\trtp_port_range = "40000-40199"
}}
nat: {{
\tnice_debug = false
\t# Only the veth interface's addresses, as a conferencing node offers only its own.
\tice_enforce_list = "{DEVICE}"
}}
""",
        encoding="utf-8",
    )
    (folder / "janus.transport.http.jcfg").write_text(
        f"""general: {{
\tjson = "compact"
\tbase_path = "/janus"
\thttp = true
\tport = {JANUS_API_PORT}
\tip = "{JANUS_ADDRESS}"
\thttps = false
}}
admin: {{
\tadmin_http = false
\tadmin_https = false
}}
""",
        encoding="utf-8",
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n", encoding="utf-8")
    return folder / "janus.jcfg"


@pytest.fixture(scope="module")
def conferencing(namespace: Namespace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("janus")
    config = _janus_config(folder)
    log = folder / "janus.log"
    process = namespace.start(["janus", "-C", str(config), "-F", str(folder)], log)
    try:
        namespace.wait_listening(process, JANUS_ADDRESS, JANUS_API_PORT, log)
        yield
    finally:
        _stop(process)


def _start_site(
    namespace: Namespace, paths: dict[str, str], address: str, janus: str, log: Path
) -> subprocess.Popen[bytes]:
    process = namespace.start(
        [
            sys.executable,
            str(REPO_ROOT / "tests" / "doubles" / "webclient_site.py"),
            "--listen",
            f"{address}:443",
            "--cert",
            paths["vardmote_tls_certificate_file"],
            "--key",
            paths["vardmote_tls_key_file"],
            "--root",
            str(WEB_ROOT),
            "--janus",
            janus,
        ],
        log,
    )
    namespace.wait_listening(process, address, 443, log)
    return process


@pytest.fixture(scope="module")
def site(
    namespace: Namespace, certificates: dict[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("site") / "site.log"
    process = _start_site(namespace, certificates["site"], SITE_ADDRESS, f"{JANUS_ADDRESS}:{JANUS_API_PORT}", log)
    try:
        yield f"https://{PORTAL_NAME}/mote/"
    finally:
        _stop(process)


@pytest.fixture
def site_without_conferencing(
    namespace: Namespace, certificates: dict[str, dict[str, str]], tmp_path: Path
) -> Iterator[str]:
    # Port 9 (discard): nothing listens there, so every /webapp/ request gets the proxy's 502.
    process = _start_site(
        namespace, certificates["broken"], BROKEN_SITE_ADDRESS, f"{JANUS_ADDRESS}:9", tmp_path / "site.log"
    )
    try:
        yield f"https://{BROKEN_NAME}/mote/"
    finally:
        _stop(process)


@pytest.fixture
def turn(
    namespace: Namespace, certificates: dict[str, dict[str, str]], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[subprocess.Popen[bytes]]:
    """coturn as the edge runs it for homes: TLS on 443 only, REST credentials, UDP relays to the
    conferencing node. A test may ask (indirect parametrization) for "stranger" (a certificate of a CA
    the browser does not trust) or "no-relay-to-conferencing" (the namespace's addresses, where the
    conferencing node is, denied as peers, as for a relay firewalled off the conferencing network)."""
    variant = getattr(request, "param", "turn")
    paths = certificates["stranger" if variant == "stranger" else "turn"]
    peers = (
        f"denied-peer-ip={NETWORK_RANGE}"
        if variant == "no-relay-to-conferencing"
        else f"allowed-peer-ip={JANUS_ADDRESS}"
    )
    config = tmp_path / "turnserver.conf"
    config.touch(mode=0o600)
    config.write_text(
        "\n".join(
            [
                f"listening-ip={TURN_ADDRESS}",
                f"relay-ip={TURN_ADDRESS}",
                "tls-listening-port=443",
                "no-udp",
                "no-tcp",
                "no-dtls",
                "min-port=49152",
                "max-port=49251",
                f"cert={paths['vardmote_tls_certificate_file']}",
                f"pkey={paths['vardmote_tls_key_file']}",
                "no-tlsv1",
                "no-tlsv1_1",
                "use-auth-secret",
                f"static-auth-secret={TURN_SECRET}",
                f"realm={TURN_NAME}",
                "fingerprint",
                "no-cli",
                "no-multicast-peers",
                peers,
                f"pidfile={tmp_path / 'turnserver.pid'}",
                # Its own (empty) user database, not the machine's /var/lib/turn/turndb.
                f"userdb={tmp_path / 'turndb'}",
                "log-file=stdout",
                "simple-log",
                "",
            ]
        ),
        encoding="utf-8",
    )
    log = tmp_path / "turnserver.log"
    process = namespace.start(["turnserver", "-c", str(config)], log)
    try:
        namespace.wait_listening(process, TURN_ADDRESS, 443, log)
        yield process
    finally:
        _stop(process)
        config.unlink()


def _probe(
    namespace: Namespace, url: str, ca_file: str, *, secret: str = TURN_SECRET, timeout_s: int = 60
) -> tuple[int, dict[str, Any]]:
    command = [
        "ip", "netns", "exec", namespace.name,
        sys.executable, "-m", "vardmote.verify.browser_call",
        "--url", url, "--ca", ca_file, "--room", ROOM, "--turn", TURN_URL,
        "--turn-secret-file", "-", "--participants", "2", "--relay-only", "--timeout", str(timeout_s),
    ]  # fmt: skip
    finished = subprocess.run(
        command, input=secret, capture_output=True, text=True, cwd=REPO_ROOT, timeout=PROBE_TIMEOUT_S, check=False
    )
    assert secret not in finished.stdout + finished.stderr
    try:
        return finished.returncode, json.loads(finished.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the probe printed no JSON (exit {finished.returncode}):\n{finished.stdout}\n{finished.stderr}")


def _ca(certificates: dict[str, dict[str, str]]) -> str:
    return certificates["site"]["vardmote_tls_ca_file"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_two_participants_receive_each_others_media_relayed_over_tls_on_443(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site, _ca(certificates))
    assert (rc, result["ok"], result["failed_hop"]) == (0, True, None), json.dumps(result, indent=2)
    assert [participant["name"] for participant in result["participants"]] == ["Patient", "Anhörig"]
    for participant in result["participants"]:
        received = [peer for peer in participant["peers"] if peer["role"] == "subscriber"]
        assert len(received) == 1, participant
        for peer in participant["peers"]:
            assert (peer["local_candidate_type"], peer["relay_protocol"]) == ("relay", "tls"), peer
        for kind in ("audio", "video"):
            assert received[0]["bytes_received_growth"][kind] > 0, participant
    patient, relative = result["participants"]
    assert {peer["display"] for peer in patient["peers"] if peer["role"] == "subscriber"} == {"Anhörig"}
    assert {peer["display"] for peer in relative["peers"] if peer["role"] == "subscriber"} == {"Patient"}


@pytest.mark.usefixtures("conferencing")
def test_turn_on_443_stopped_is_named_turn_allocation(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]], turn: subprocess.Popen[bytes]
) -> None:
    _stop(turn)
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "701" in result["detail"], result["detail"]
    assert TURN_NAME in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_wrong_turn_secret_is_named_turn_allocation_401(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site, _ca(certificates), secret="not-the-shared-secret", timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "401" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
@pytest.mark.parametrize("turn", ["stranger"], indirect=True)
def test_a_turn_certificate_of_an_unknown_ca_is_named_turn_allocation(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "701" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
@pytest.mark.parametrize("turn", ["no-relay-to-conferencing"], indirect=True)
def test_a_relay_that_cannot_reach_the_conferencing_node_is_named_ice(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    # Chromium leaves a pair that never answered at "disconnected", not "failed": the deadline decides.
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "ICE"), json.dumps(result, indent=2)
    assert "failed" in result["detail"] or "disconnected" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_name_that_does_not_resolve_is_named_dns(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site.replace(PORTAL_NAME, UNKNOWN_NAME), _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "DNS"), json.dumps(result, indent=2)
    assert "ERR_NAME_NOT_RESOLVED" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_certificate_of_an_unknown_ca_is_named_tls(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site, certificates["stranger"]["vardmote_tls_ca_file"], timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "TLS"), json.dumps(result, indent=2)
    assert "ERR_CERT_AUTHORITY_INVALID" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_conferencing_node_that_does_not_answer_is_named_web_client_api(
    namespace: Namespace, site_without_conferencing: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site_without_conferencing, _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "web client API"), json.dumps(result, indent=2)
    assert "/webapp/janus: HTTP 502" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_portal_without_the_page_is_named_web_page(
    namespace: Namespace, site: str, certificates: dict[str, dict[str, str]]
) -> None:
    rc, result = _probe(namespace, site.replace("/mote/", "/saknas/"), _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "web page"), json.dumps(result, indent=2)
    assert "HTTP 404" in result["detail"], result["detail"]
