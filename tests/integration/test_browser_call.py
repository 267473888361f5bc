from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.doubles.tls import TestPki, make_pki
from tests.integration.coturn_harness import CoturnSettings, running_coturn
from tests.integration.netns_harness import Namespace, network_namespace
from vardmote.verify.chromium import missing_tools
from vardmote.verify.sip.processes import Program

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_ROOT = REPO_ROOT / "provisioning" / "roles" / "portal" / "files" / "web"
JANUS_LIBRARIES = Path("/usr/lib/x86_64-linux-gnu/janus")
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


@pytest.fixture(scope="module")
def namespace() -> Iterator[Namespace]:
    hosts = [
        ("127.0.0.1", "localhost"),
        (SITE_ADDRESS, PORTAL_NAME),
        (TURN_ADDRESS, TURN_NAME),
        (BROKEN_SITE_ADDRESS, BROKEN_NAME),
    ]
    etc_files = {
        "hosts": "".join(f"{address} {name}\n" for address, name in hosts),
        # No name server answers in the namespace: a name outside its hosts file does not resolve.
        "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    }
    addresses = [f"{address}/24" for address in (JANUS_ADDRESS, SITE_ADDRESS, TURN_ADDRESS, BROKEN_SITE_ADDRESS)]
    with network_namespace("vmwc", DEVICE, addresses, etc_files) as namespace:
        yield namespace


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TestPki]:
    ca = tmp_path_factory.mktemp("ca")
    return {
        "site": make_pki(ca, SITE_ADDRESS, [PORTAL_NAME], label="portal"),
        "turn": make_pki(ca, TURN_ADDRESS, [TURN_NAME], label="turn"),
        "broken": make_pki(ca, BROKEN_SITE_ADDRESS, [BROKEN_NAME], label="broken"),
        # TURN's name, from a CA the browser is not told to trust.
        "stranger": make_pki(tmp_path_factory.mktemp("stranger-ca"), TURN_ADDRESS, [TURN_NAME], label="turn"),
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
    with namespace.running(
        "janus",
        ["janus", "-C", str(config), "-F", str(folder)],
        folder / "janus.log",
        until=lambda: namespace.listening(JANUS_ADDRESS, JANUS_API_PORT),
        what=f"its HTTP API on {JANUS_ADDRESS}:{JANUS_API_PORT}",
    ):
        yield


@contextmanager
def _running_site(namespace: Namespace, pki: TestPki, address: str, janus: str, log: Path) -> Iterator[None]:
    command = [
        *(sys.executable, "-m", "tests.doubles.webclient_site", "--listen", f"{address}:443"),
        *("--cert", str(pki.cert_file), "--key", str(pki.key_file), "--root", str(WEB_ROOT), "--janus", janus),
    ]
    # From the checkout's root, where `tests` is a package, wherever pytest was started.
    with namespace.running(
        "webclient_site",
        ["env", "-C", str(REPO_ROOT), *command],
        log,
        until=lambda: namespace.listening(address, 443),
        what=f"HTTPS on {address}:443",
    ):
        yield


@pytest.fixture(scope="module")
def site(
    namespace: Namespace, certificates: dict[str, TestPki], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("site") / "site.log"
    with _running_site(namespace, certificates["site"], SITE_ADDRESS, f"{JANUS_ADDRESS}:{JANUS_API_PORT}", log):
        yield f"https://{PORTAL_NAME}/mote/"


@pytest.fixture
def site_without_conferencing(namespace: Namespace, certificates: dict[str, TestPki], tmp_path: Path) -> Iterator[str]:
    # Port 9 (discard): nothing listens there, so every /webapp/ request gets the proxy's 502.
    with _running_site(
        namespace, certificates["broken"], BROKEN_SITE_ADDRESS, f"{JANUS_ADDRESS}:9", tmp_path / "site.log"
    ):
        yield f"https://{BROKEN_NAME}/mote/"


@pytest.fixture
def turn(
    namespace: Namespace, certificates: dict[str, TestPki], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Program]:
    """coturn as the edge runs it for homes: TLS on 443 only, REST credentials, UDP relays to the
    conferencing node. A test may ask (indirect parametrization) for "stranger" (a certificate of a CA
    the browser does not trust) or "no-relay-to-conferencing" (the namespace's addresses, where the
    conferencing node is, denied as peers, as for a relay firewalled off the conferencing network)."""
    variant = getattr(request, "param", "turn")
    peers = (
        f"denied-peer-ip={NETWORK_RANGE}"
        if variant == "no-relay-to-conferencing"
        else f"allowed-peer-ip={JANUS_ADDRESS}"
    )
    settings = CoturnSettings(
        address=TURN_ADDRESS,
        realm=TURN_NAME,
        secret=TURN_SECRET,
        pki=certificates["stranger" if variant == "stranger" else "turn"],
        peer_rules=(peers,),
    )
    with running_coturn(namespace, settings, tmp_path) as program:
        yield program


def _probe(
    namespace: Namespace, url: str, ca_file: str, *, secret: str = TURN_SECRET, timeout_s: int = 60
) -> tuple[int, dict[str, Any]]:
    command = namespace.command(
        sys.executable, "-m", "vardmote.verify.browser_call",
        "--url", url, "--ca", ca_file, "--room", ROOM, "--turn", TURN_URL,
        "--turn-secret-file", "-", "--participants", "2", "--relay-only", "--timeout", str(timeout_s),
    )  # fmt: skip
    finished = subprocess.run(
        command, input=secret, capture_output=True, text=True, cwd=REPO_ROOT, timeout=PROBE_TIMEOUT_S, check=False
    )
    assert secret not in finished.stdout + finished.stderr
    try:
        return finished.returncode, json.loads(finished.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the probe printed no JSON (exit {finished.returncode}):\n{finished.stdout}\n{finished.stderr}")


def _ca(certificates: dict[str, TestPki]) -> str:
    return str(certificates["site"].ca_file)


@pytest.mark.usefixtures("conferencing", "turn")
def test_two_participants_receive_each_others_media_relayed_over_tls_on_443(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
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
    namespace: Namespace, site: str, certificates: dict[str, TestPki], turn: Program
) -> None:
    turn.stop()
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "701" in result["detail"], result["detail"]
    assert TURN_NAME in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_wrong_turn_secret_is_named_turn_allocation_401(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site, _ca(certificates), secret="not-the-shared-secret", timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "401" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
@pytest.mark.parametrize("turn", ["stranger"], indirect=True)
def test_a_turn_certificate_of_an_unknown_ca_is_named_turn_allocation(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=30)
    assert (rc, result["failed_hop"]) == (1, "TURN allocation"), json.dumps(result, indent=2)
    assert "701" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
@pytest.mark.parametrize("turn", ["no-relay-to-conferencing"], indirect=True)
def test_a_relay_that_cannot_reach_the_conferencing_node_is_named_ice(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    # Chromium leaves a pair that never answered at "disconnected", not "failed": the deadline decides.
    rc, result = _probe(namespace, site, _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "ICE"), json.dumps(result, indent=2)
    assert "failed" in result["detail"] or "disconnected" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_name_that_does_not_resolve_is_named_dns(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site.replace(PORTAL_NAME, UNKNOWN_NAME), _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "DNS"), json.dumps(result, indent=2)
    assert "ERR_NAME_NOT_RESOLVED" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_certificate_of_an_unknown_ca_is_named_tls(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site, str(certificates["stranger"].ca_file), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "TLS"), json.dumps(result, indent=2)
    assert "ERR_CERT_AUTHORITY_INVALID" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_conferencing_node_that_does_not_answer_is_named_web_client_api(
    namespace: Namespace, site_without_conferencing: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site_without_conferencing, _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "web client API"), json.dumps(result, indent=2)
    assert "/webapp/janus: HTTP 502" in result["detail"], result["detail"]


@pytest.mark.usefixtures("conferencing", "turn")
def test_a_portal_without_the_page_is_named_web_page(
    namespace: Namespace, site: str, certificates: dict[str, TestPki]
) -> None:
    rc, result = _probe(namespace, site.replace("/mote/", "/saknas/"), _ca(certificates), timeout_s=20)
    assert (rc, result["failed_hop"]) == (1, "web page"), json.dumps(result, indent=2)
    assert "HTTP 404" in result["detail"], result["detail"]
