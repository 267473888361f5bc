"""The meeting readiness page (files/web/beredskap/) in headless Chromium, in a network namespace of its
own standing for a patient's home: coturn there with REST credentials on UDP 3478 and TLS on 443, an
HTTPS server giving the page and its resources with the headers the portal's nginx vhost gives them,
and the page's three cases: everything open (green), UDP blocked (amber: through over 443 only), and
everything to TURN and the edge blocked after the page has loaded (red, naming why). The link's REST
credentials are proved by allocating with them on the same coturn.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
import pytest
import yaml

from tests.doubles.https_site import serving_https
from tests.doubles.tls import make_pki
from tests.integration.coturn_harness import CoturnSettings, running_coturn
from tests.integration.netns_harness import Namespace, network_namespace
from vardmote.portal.readiness_link import ReadinessTargets, readiness_link, targets_of_stack
from vardmote.verify.chromium import missing_tools
from vardmote.verify.readiness_page import run_readiness_page

REPO_ROOT = Path(__file__).resolve().parents[2]
PORTAL_ROLE = REPO_ROOT / "provisioning" / "roles" / "portal"
WEB_ROOT = PORTAL_ROLE / "files" / "web"

# TEST-NET-1 (RFC 5737): never routed anywhere, and alone in the namespace. Two addresses, since the
# edge's one port 443 for HTTPS and TURN (nginx's stream module) is the edge role's, not the page's.
EDGE_ADDRESS = "192.0.2.10"
TURN_ADDRESS = "192.0.2.20"
DOWNLOAD_BYTES = 2 * 1024 * 1024
DEVICE = "vmrd0"


def _missing() -> list[str]:
    missing = list(missing_tools())
    if shutil.which("turnserver") is None or shutil.which("turnutils_uclient") is None:
        missing.append("coturn")
    if shutil.which("nft") is None:
        missing.append("nftables")
    return missing


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="makes a network namespace and nftables rules: needs root"),
    pytest.mark.skipif(bool(_missing()), reason=f"needs the Debian packages {_missing()}"),
]


@contextmanager
def home_namespace() -> Iterator[Namespace]:
    """A network namespace with loopback and a non-loopback interface holding the edge's and TURN's
    addresses (WebRTC ignores loopback interfaces, so the browser needs another), and the machine's
    nameserver address, where the namespace's own resolver answers."""
    addresses = [f"{EDGE_ADDRESS}/24", f"{TURN_ADDRESS}/24"]
    nameserver = system_nameserver()
    if not nameserver.startswith("127."):
        addresses.append(f"{nameserver}/32")
    with network_namespace("vmrd", DEVICE, addresses) as namespace:
        yield namespace


def portal_readiness_headers() -> dict[str, str]:
    """The headers the portal's vhost gives everything under /beredskap/, read from its template (so the
    server here answers as nginx does), after checking the template answers the ping and the download."""
    defaults = yaml.safe_load((PORTAL_ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    template = jinja2.Environment(keep_trailing_newline=True).from_string(
        (PORTAL_ROLE / "templates" / "nginx-portal.conf.j2").read_text(encoding="utf-8")
    )
    text = template.render(
        portal_hsts_max_age=31536000,
        portal_readiness_content_security_policy=defaults["portal_readiness_content_security_policy"],
    )
    start = text.index("location /beredskap/ {")
    block = text[start:]
    assert re.search(r"location = /beredskap/ping \{\s*return 204;", block), "the vhost does not answer the ping"
    assert "location = /beredskap/testdata.bin {" in block, "the vhost does not serve the download file"
    own = block.split("location =", 1)[0]
    return {
        name: value.strip('"') for name, value in re.findall(r'^\s*add_header (\S+) (".*?"|\S+) always;', own, re.M)
    }


def _site_handler(headers: dict[str, str]) -> type[http.server.SimpleHTTPRequestHandler]:
    class ReadinessSite(http.server.SimpleHTTPRequestHandler):
        # Keep-alive, as nginx: the round trips after the first are on a warm connection.
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/beredskap/ping":
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

        def end_headers(self) -> None:
            if urlsplit(self.path).path.startswith("/beredskap/"):
                for name, value in headers.items():
                    self.send_header(name, value)
            super().end_headers()

        def guess_type(self, path: Any) -> str:
            return "application/octet-stream" if str(path).endswith(".bin") else super().guess_type(path)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ReadinessSite


def system_nameserver() -> str:
    """The first IPv4 nameserver of /etc/resolv.conf: the browser's resolver asks it, so the namespace
    answers there (WebRTC's UDP TURN resolves names by the system's resolver, not Chromium's own rules)."""
    for line in Path("/etc/resolv.conf").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver" and re.fullmatch(r"[\d.]+", fields[1]):
            return fields[1]
    return "127.0.0.53"


def dns_answer(query: bytes, names: dict[str, str]) -> bytes:
    """The answer to one DNS query (RFC 1035): an A record for a name in `names`, no record for its other
    types, NXDOMAIN for any other name, as the home's resolver would give for the region's names."""
    transaction, flags = struct.unpack("!HH", query[:4])
    offset, labels = 12, []
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    question_end = offset + 5
    kind = struct.unpack("!H", query[offset + 1 : offset + 3])[0]
    address = names.get(".".join(labels).lower())
    answers = b""
    if address is not None and kind == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(address)
    rcode = 3 if address is None else 0
    header = struct.pack(
        "!HHHHHH", transaction, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 1, 1 if answers else 0, 0, 0
    )
    return header + query[12:question_end] + answers


@contextmanager
def serving_dns(address: str, names: dict[str, str]) -> Iterator[None]:
    """A resolver on `address`:53 answering `names` (bind it inside the namespace)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((address, 53))
    server.settimeout(0.2)
    stopping = threading.Event()

    def answer() -> None:
        while not stopping.is_set():
            try:
                query, client = server.recvfrom(2048)
                server.sendto(dns_answer(query, names), client)
            except (TimeoutError, IndexError, struct.error):
                continue

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join()
        server.close()


@dataclass
class ReadinessLab:
    namespace: Namespace
    ca_file: Path
    targets: ReadinessTargets
    secret: str = field(repr=False)

    def link(self, **kwargs: Any) -> str:
        return readiness_link(self.targets, self.secret, **kwargs)


@pytest.fixture(scope="module")
def lab() -> Iterator[ReadinessLab]:
    targets = targets_of_stack(REPO_ROOT, "lab")
    secret = secrets.token_urlsafe(32)
    with ExitStack() as stack:
        # The shared secret is in coturn's configuration here; the folder goes when the test does.
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vmrd-")))
        namespace = stack.enter_context(home_namespace())
        pki = make_pki(folder / "ca", EDGE_ADDRESS, [targets.portal_name, targets.turn_name], label="edge")
        site = folder / "www"
        shutil.copytree(WEB_ROOT, site)
        # As the portal role's task makes it on the host: random bytes of the configured size.
        (site / "beredskap" / "testdata.bin").write_bytes(os.urandom(DOWNLOAD_BYTES))
        with namespace.inside():
            stack.enter_context(
                serving_dns(system_nameserver(), {targets.portal_name: EDGE_ADDRESS, targets.turn_name: TURN_ADDRESS})
            )
            stack.enter_context(
                serving_https((EDGE_ADDRESS, 443), site, pki, _site_handler(portal_readiness_headers()))
            )
        turn = CoturnSettings(
            address=TURN_ADDRESS,
            realm=targets.turn_name,
            secret=secret,
            pki=pki,
            tls_port=targets.turn_tls_port,
            udp_port=targets.turn_udp_port,
        )
        stack.enter_context(running_coturn(namespace, turn, folder))
        yield ReadinessLab(namespace, pki.ca_file, targets, secret)


def _nft(ruleset: str) -> None:
    done = subprocess.run(["nft", "-f", "-"], check=False, input=ruleset, text=True, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"nft refused the rules: {done.stderr.strip()}")


BLOCK_TABLE = "vmrd_block"


def block(lab: ReadinessLab, rule: str) -> None:
    """Drop matching traffic leaving anything in the namespace (the browser's, here)."""
    with lab.namespace.inside():
        _nft(f"table inet {BLOCK_TABLE} {{\n chain output {{\n type filter hook output priority 0;\n {rule}\n }}\n}}\n")


@pytest.fixture
def unblocked(lab: ReadinessLab) -> Iterator[ReadinessLab]:
    yield lab
    with lab.namespace.inside():
        subprocess.run(["nft", "delete", "table", "inet", BLOCK_TABLE], check=False, capture_output=True)


def run_page(lab: ReadinessLab, link: str, *, after_load: str | None = None) -> dict[str, Any]:
    """The page in Chromium inside the namespace, `after_load` traffic blocked once it is there."""
    with lab.namespace.inside():
        return run_readiness_page(
            link, lab.ca_file, after_load=None if after_load is None else lambda: block(lab, after_load)
        )


def run_page_as_the_lab_does(lab: ReadinessLab, link: str) -> tuple[int, dict[str, Any]]:
    """The command the lab runs in its home namespace, the link on stdin: its exit status and results."""
    done = subprocess.run(
        [
            *lab.namespace.command(sys.executable, "-m", "vardmote.verify.readiness_page", "--ca", str(lab.ca_file)),
        ],
        input=link + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        cwd=REPO_ROOT,
    )
    assert done.stdout.startswith("{"), f"no results (exit {done.returncode}): {done.stderr[-600:]}"
    return done.returncode, json.loads(done.stdout)


def checks_of(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in state["checks"]}


def statuses(state: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["status"] for check in state["checks"]}


def test_everything_open_is_green(unblocked: ReadinessLab) -> None:
    status, state = run_page_as_the_lab_does(unblocked, unblocked.link())
    assert status == 0, state["verdict"]
    checks = checks_of(state)
    assert statuses(state) == dict.fromkeys(
        ["link", "camera", "microphone", "rtt", "bandwidth", "turn-udp", "turn-tls"], "ok"
    ), state
    assert state["verdict"]["level"] == "green", state["verdict"]
    assert checks["turn-udp"]["detail"]["relay"].startswith(f"{TURN_ADDRESS}:")
    assert checks["turn-tls"]["detail"]["relay"].startswith(f"{TURN_ADDRESS}:")
    assert checks["turn-tls"]["detail"]["url"] == f"turns:{unblocked.targets.turn_name}:443?transport=tcp"
    assert checks["rtt"]["detail"]["cacheControl"] == "no-store"
    assert len(checks["rtt"]["detail"]["samplesMs"]) == 7
    assert checks["bandwidth"]["detail"]["bytes"] == DOWNLOAD_BYTES
    assert checks["microphone"]["detail"]["peakLevel"] > 0


def test_udp_blocked_is_amber_through_443(unblocked: ReadinessLab) -> None:
    """Still a meeting, over TLS on 443, so not red; amber, since media over TCP suffers more from loss
    and the technician should have the phone ready (routine 4.2.3)."""
    block(unblocked, f"ip daddr {TURN_ADDRESS} udp dport {unblocked.targets.turn_udp_port} drop")
    state = run_page(unblocked, unblocked.link())
    checks = checks_of(state)
    assert statuses(state) == {
        "link": "ok",
        "camera": "ok",
        "microphone": "ok",
        "rtt": "ok",
        "bandwidth": "ok",
        "turn-udp": "fail",
        "turn-tls": "ok",
    }, state
    verdict = state["verdict"]
    assert verdict["level"] == "amber", verdict
    assert any("bara igenom TCP/443" in reason for reason in verdict["reasons"]), verdict
    assert any("video utan ljud" in advice and "telefon" in advice for advice in verdict["advice"]), verdict
    assert checks["turn-udp"]["detail"]["errors"] or checks["turn-udp"]["detail"]["why"] == "timeout"


def test_turn_over_443_blocked_is_amber_and_tells_it(unblocked: ReadinessLab) -> None:
    """UDP carries the meeting, but there is no way left if the network shuts UDP, and a 443 that does
    not answer may be the platform's fault: amber, and tell the region's IT."""
    block(unblocked, f"ip daddr {TURN_ADDRESS} tcp dport {unblocked.targets.turn_tls_port} drop")
    state = run_page(unblocked, unblocked.link())
    assert statuses(state)["turn-udp"] == "ok", state
    assert statuses(state)["turn-tls"] == "fail", state
    verdict = state["verdict"]
    assert verdict["level"] == "amber", verdict
    assert any("TCP/443 nås inte" in reason for reason in verdict["reasons"]), verdict
    assert any("IT-support" in advice for advice in verdict["advice"]), verdict


def test_everything_blocked_after_load_is_red_and_says_why(unblocked: ReadinessLab) -> None:
    state = run_page(unblocked, unblocked.link(), after_load=f"ip daddr {{ {EDGE_ADDRESS}, {TURN_ADDRESS} }} drop")
    assert statuses(state) == {
        "link": "ok",
        "camera": "ok",
        "microphone": "ok",
        "rtt": "fail",
        "bandwidth": "skipped",
        "turn-udp": "fail",
        "turn-tls": "fail",
    }, state
    verdict = state["verdict"]
    assert verdict["level"] == "red", verdict
    assert len(verdict["reasons"]) == 2, verdict
    assert verdict["reasons"][0].startswith("Portalen nås inte"), verdict
    assert verdict["reasons"][1].startswith("Ingen väg till TURN-servern, varken över UDP eller TCP/443"), verdict
    assert any("per telefon" in advice for advice in verdict["advice"]), verdict


def test_an_expired_link_is_red_before_anything_is_tried(unblocked: ReadinessLab) -> None:
    state = run_page(unblocked, unblocked.link(now=time.time() - 2 * 86400, valid_for_s=3600))
    checks = checks_of(state)
    assert checks["link"]["status"] == "fail", checks["link"]
    assert "gick ut" in checks["link"]["summary"], checks["link"]
    assert checks["turn-udp"]["status"] == checks["turn-tls"]["status"] == "skipped"
    assert state["verdict"]["level"] == "red"


def _uclient(lab: ReadinessLab, username: str, password: str) -> subprocess.CompletedProcess[str]:
    with lab.namespace.inside():
        return subprocess.run(
            [
                *("turnutils_uclient", "-u", username, "-w", password, "-e", EDGE_ADDRESS, "-n", "1", "-c", "-X"),
                *("-p", str(lab.targets.turn_udp_port), TURN_ADDRESS),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )


def _credentials_of(link: str) -> tuple[str, str]:
    fragment = parse_qs(urlsplit(link).fragment)
    return fragment["username"][0], fragment["credential"][0]


def test_the_links_credentials_allocate_on_coturn(lab: ReadinessLab) -> None:
    result = _uclient(lab, *_credentials_of(lab.link(user="RVN-000123")))
    assert result.returncode == 0, (
        f"coturn refused the link's credentials: {result.stdout[-400:]}{result.stderr[-400:]}"
    )
    # Allocated, a permission made and the one packet sent through the relay (the peer does not echo).
    assert "tot_send_msgs=1," in result.stdout, result.stdout[-400:]


def test_an_expired_links_credentials_are_refused(lab: ReadinessLab) -> None:
    result = _uclient(lab, *_credentials_of(lab.link(now=time.time() - 7200, valid_for_s=3600)))
    assert result.returncode != 0
    assert "Cannot complete Allocation" in result.stdout + result.stderr


def test_another_secrets_credentials_are_refused(lab: ReadinessLab) -> None:
    other = readiness_link(lab.targets, "not-the-shared-secret")
    result = _uclient(lab, *_credentials_of(other))
    assert result.returncode != 0
    assert "Cannot complete Allocation" in result.stdout + result.stderr


def test_the_edge_answers_over_verified_tls(lab: ReadinessLab) -> None:
    """The harness itself: the site answers on the edge's address with the portal's readiness headers."""
    context = ssl.create_default_context(cafile=str(lab.ca_file))
    with (
        lab.namespace.inside(),
        socket.create_connection((EDGE_ADDRESS, 443), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=lab.targets.portal_name) as stream,
    ):
        stream.sendall(f"GET /beredskap/ping HTTP/1.1\r\nHost: {lab.targets.portal_name}\r\n\r\n".encode())
        answer = stream.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 204"), answer
    assert "Cache-Control: no-store" in answer, answer
