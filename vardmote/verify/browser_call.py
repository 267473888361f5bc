"""A call in real browsers: participants (a patient and a relative, one headless Chromium each) open the
web client through the edge, join one booked room on the conferencing node, send camera and microphone
and must receive each other's audio and video, relayed through TURN when the link says so.

Run where the patient is (the lab: `ip netns exec vmlab-home .venv/bin/python -m
vardmote.verify.browser_call …`), so every name the browser resolves, every TLS handshake and every
TURN allocation happens on the patient's network. It prints one JSON result; on failure it names the
hop that failed, in the order a call meets them:

    DNS              the page's name does not resolve (net::ERR_NAME_NOT_RESOLVED)
    TLS              the certificate or handshake is refused (net::ERR_CERT_*, net::ERR_SSL_*)
    HTTPS connection the page's address does not answer (any other net::ERR_*)
    web page         the portal answers, but not with the web client (its HTTP status)
    web client API   /webapp/janus fails (HTTP status, or the conferencing node's error)
    TURN allocation  TURN gave no relay candidate (the browser's icecandidateerror code and URL:
                     701 unreachable, 401 refused credentials)
    ICE              candidates were gathered but no pair connected, or it is not relayed as asked
    media            connected, but a participant's bytesReceived does not grow for audio or video
    browser          Chromium or its driver gave out (not a hop of the call: run it again)

The TURN credentials are made here from the shared secret (REST credentials, as the edge's coturn
takes them) and handed to the page in the link's fragment, which the browser never sends; the secret
is read from a file or stdin, never from the command line, and no credential appears in the output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome

from vardmote.verify.chromium import BrowserMissing, chromium
from vardmote.verify.turn_client import rest_credentials

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_SAMPLE_S = 3.0
POLL_INTERVAL_S = 0.5
PARTICIPANT_NAMES = ("Patient", "Anhörig")
KINDS = ("audio", "video")
_NET_ERROR = re.compile(r"\b(?:net::)?(ERR_[A-Z0-9_]+)")
_PAGE_HOPS = {"link": "web client link", "media": "camera and microphone", "api": "web client API", "ice": "ICE"}
_SUMMARY_SCRIPT = """
const done = arguments[arguments.length - 1];
if (!window.vardmoteCall) { done(null); return; }
window.vardmoteCall.summary().then(done, (error) => done({scriptError: String(error)}));
"""
_NAVIGATION_STATUS_SCRIPT = """
const entry = performance.getEntriesByType("navigation")[0];
return entry ? entry.responseStatus : null;
"""


class ProbeInputError(ValueError):
    """The probe was asked for something it cannot do (a bad room, an empty secret)."""


@dataclass(frozen=True)
class CallRequest:
    url: str
    ca_file: Path | None
    room: str
    turn_urls: tuple[str, ...]
    turn_secret: str
    participants: int = 2
    relay_only: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    sample_s: float = DEFAULT_SAMPLE_S
    # One moment for every credential the probe makes, so it can scrub exactly what it handed out.
    issued_at: float = field(default_factory=time.time)

    @property
    def expected_relay_protocol(self) -> str | None:
        """With relayed media only, the transport to TURN the URLs leave the browser: TLS for turns:,
        TCP for turn:…?transport=tcp; None when UDP is allowed too."""
        if not self.relay_only or not self.turn_urls:
            return None
        if all(url.startswith("turns:") for url in self.turn_urls):
            return "tls"
        if all("transport=tcp" in url for url in self.turn_urls):
            return "tcp"
        return None


@dataclass
class ParticipantResult:
    name: str
    ok: bool = False
    failed_hop: str | None = None
    detail: str = ""
    phase: str | None = None
    peers: list[dict[str, Any]] = field(default_factory=list)
    candidate_errors: list[dict[str, Any]] = field(default_factory=list)

    def failed(self, hop: str, detail: str) -> None:
        if self.failed_hop is None:
            self.ok, self.failed_hop, self.detail = False, hop, detail


def hop_of_net_error(code: str) -> str:
    if code.startswith(("ERR_NAME_NOT_RESOLVED", "ERR_NAME_RESOLUTION_FAILED")):
        return "DNS"
    if code.startswith(("ERR_CERT_", "ERR_SSL_")) or code == "ERR_BAD_SSL_CLIENT_AUTH_CERT":
        return "TLS"
    return "HTTPS connection"


def judge_connection(request: CallRequest, result: ParticipantResult, summary: dict[str, Any]) -> bool:
    """Record on `result` why `summary` (the page's window.vardmoteCall.summary()) is not yet a call
    with every other participant connected; True when it is. Failures the page has seen are final."""
    result.phase = summary.get("phase")
    result.candidate_errors = summary.get("candidateErrors", [])
    errors = summary.get("errors", [])
    if errors:
        first = errors[0]
        hop = _PAGE_HOPS.get(first.get("hop"), "web client API")
        if hop == "ICE" and not _relay_gathered(summary) and request.relay_only:
            result.failed("TURN allocation", _turn_detail(summary))
        else:
            result.failed(hop, str(first.get("detail", "")))
        return False
    peers = summary.get("peers", [])
    if request.relay_only:
        # Gathering over and not one relay candidate: TURN said no (or nothing answered), no need to wait.
        starved = [
            peer for peer in peers if peer.get("gathering") == "complete" and not _relay_gathered({"peers": [peer]})
        ]
        if starved:
            result.failed("TURN allocation", _turn_detail(summary))
            return False
    others = [peer for peer in peers if peer.get("role") == "subscriber"]
    unconnected = [peer for peer in peers if peer.get("ice") not in ("connected", "completed")]
    if unconnected or len(others) < request.participants - 1 or not peers:
        return False
    if request.relay_only:
        for peer in peers:
            local = peer.get("local") or {}
            if not _relayed(local):
                result.failed("ICE", f"{peer['label']}: the selected pair is {local.get('candidateType')}, not relayed")
                return False
            expected = request.expected_relay_protocol
            if expected and local.get("relayProtocol") != expected:
                result.failed(
                    "TURN allocation",
                    f"{peer['label']}: relayed over {local.get('relayProtocol')}, not {expected}",
                )
                return False
    return True


def judge_unfinished(request: CallRequest, result: ParticipantResult, summary: dict[str, Any] | None) -> None:
    """The deadline passed before `summary` was a call: name the first hop that is not through."""
    if result.failed_hop is not None:
        return
    if summary is None:
        result.failed("web page", "the web client did not start (window.vardmoteCall is missing)")
        return
    peers = summary.get("peers", [])
    if not peers:
        result.failed("web client API", f"never published into the room (phase {summary.get('phase')})")
        return
    if request.relay_only and not _relay_gathered(summary):
        result.failed("TURN allocation", _turn_detail(summary))
        return
    unconnected = [peer for peer in peers if peer.get("ice") not in ("connected", "completed")]
    if unconnected:
        states = ", ".join(
            f"{peer['label']} {' → '.join(peer.get('iceHistory') or [peer.get('ice')])}" for peer in unconnected
        )
        result.failed("ICE", f"not connected: {states}")
        return
    others = [peer for peer in peers if peer.get("role") == "subscriber"]
    result.failed("media", f"receives {len(others)} of the {request.participants - 1} other participants' feeds")


def judge_media(result: ParticipantResult, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Each feed this participant receives must grow in bytesReceived for audio and for video."""
    earlier = {peer["label"]: peer for peer in before.get("peers", [])}
    result.peers = []
    silent: list[str] = []
    for peer in after.get("peers", []):
        start = earlier.get(peer["label"], {})
        received = {kind: peer["bytesReceived"][kind] - start.get("bytesReceived", {}).get(kind, 0) for kind in KINDS}
        sent = {kind: peer["bytesSent"][kind] - start.get("bytesSent", {}).get(kind, 0) for kind in KINDS}
        result.peers.append(
            {
                "label": peer["label"],
                "role": peer["role"],
                "display": peer.get("display"),
                "ice": peer["ice"],
                "local_candidate_type": (peer.get("local") or {}).get("candidateType"),
                "relay_protocol": (peer.get("local") or {}).get("relayProtocol"),
                "remote_candidate_type": (peer.get("remote") or {}).get("candidateType"),
                "gathered": peer.get("gathered", {}),
                "bytes_received_growth": received,
                "bytes_sent_growth": sent,
            }
        )
        if peer["role"] == "subscriber":
            silent += [f"{peer.get('display') or peer['label']} {kind}" for kind in KINDS if received[kind] <= 0]
        elif peer["role"] == "publisher" and any(sent[kind] <= 0 for kind in KINDS):
            silent += [f"own {kind} not sent" for kind in KINDS if sent[kind] <= 0]
    if silent:
        result.failed("media", f"bytesReceived does not grow: {', '.join(silent)}")
    elif result.failed_hop is None:
        result.ok = True


def _relay_gathered(summary: dict[str, Any]) -> bool:
    return any(key.startswith("relay") for peer in summary.get("peers", []) for key in peer.get("gathered", {}))


def _turn_detail(summary: dict[str, Any]) -> str:
    errors = summary.get("candidateErrors", [])
    if not errors:
        return "no relay candidate gathered, and the browser reported no TURN error"
    seen = sorted(
        {
            f"{error.get('errorCode')} {error.get('errorText') or ''}".strip() + f" ({error.get('url')})"
            for error in errors
        }
    )
    return "no relay candidate: " + "; ".join(seen)


def link_for(request: CallRequest, name: str, index: int) -> str:
    username, credential = _credentials(request, index)
    fragment: list[tuple[str, str]] = [("room", request.room)]
    fragment += [("turn", url) for url in request.turn_urls]
    fragment += [("username", username), ("credential", credential), ("name", name)]
    if request.relay_only:
        fragment.append(("relay", "1"))
    return f"{request.url.split('#')[0]}#{urlencode(fragment)}"


def _open(browser: Chrome, link: str, result: ParticipantResult) -> bool:
    """Navigate; False (with the hop named) when the page is not the web client."""
    try:
        browser.get(link)
    except WebDriverException as error:
        found = _NET_ERROR.search(error.msg or str(error))
        code = found.group(1) if found else "navigation failed"
        result.failed(hop_of_net_error(code) if found else "HTTPS connection", f"net::{code}" if found else code)
        return False
    if browser.execute_script("return Boolean(window.vardmoteCall);"):
        return True
    found = _NET_ERROR.search(browser.page_source)
    if found:
        result.failed(hop_of_net_error(found.group(1)), f"net::{found.group(1)}")
    else:
        status = browser.execute_script(_NAVIGATION_STATUS_SCRIPT)
        result.failed("web page", f"HTTP {status}: not the web client")
    return False


def _summary(browser: Chrome) -> dict[str, Any] | None:
    answer = browser.execute_async_script(_SUMMARY_SCRIPT)
    if isinstance(answer, dict) and "scriptError" in answer:
        raise RuntimeError(f"the page's summary failed: {answer['scriptError']}")
    return answer if isinstance(answer, dict) else None


def participant_names(count: int) -> list[str]:
    return [
        PARTICIPANT_NAMES[index] if index < len(PARTICIPANT_NAMES) else f"Deltagare {index + 1}"
        for index in range(count)
    ]


def run_call(request: CallRequest) -> dict[str, Any]:
    """Open the room in one browser per participant and judge the call; the result as JSON-ready data."""
    results = [ParticipantResult(name) for name in participant_names(request.participants)]
    with ExitStack() as stack:
        browsers: list[Chrome | None] = []
        for index, result in enumerate(results):
            opened = stack.enter_context(chromium(request.ca_file))
            browsers.append(opened if _open(opened, link_for(request, result.name, index), result) else None)
        summaries: list[dict[str, Any] | None] = [None] * len(results)
        deadline = time.monotonic() + request.timeout_s
        while time.monotonic() < deadline:
            ready = True
            for index, (browser, result) in enumerate(zip(browsers, results, strict=True)):
                if browser is None or result.failed_hop is not None:
                    continue
                summaries[index] = _summary(browser)
                if summaries[index] is None or not judge_connection(request, result, summaries[index] or {}):
                    ready = False
            if ready or all(result.failed_hop is not None for result in results):
                break
            time.sleep(POLL_INTERVAL_S)
        for result, summary in zip(results, summaries, strict=True):
            if not _connected(request, result, summary):
                judge_unfinished(request, result, summary)
        live = [
            (browser, result)
            for browser, result in zip(browsers, results, strict=True)
            if browser and result.failed_hop is None
        ]
        before = [_summary(browser) or {} for browser, _ in live]
        if live:
            time.sleep(request.sample_s)
        for (browser, result), start in zip(live, before, strict=True):
            judge_media(result, start, _summary(browser) or {})
    secret_words = handed_out_secrets(request, len(results))
    participants = [scrubbed(vars(result), secret_words) for result in results]
    failed = next((result for result in results if not result.ok), None)
    return {
        "ok": failed is None,
        "url": request.url.split("#")[0],
        "room": request.room,
        "relay_only": request.relay_only,
        "failed_hop": failed.failed_hop if failed else None,
        "detail": scrubbed(f"{failed.name}: {failed.detail}", secret_words) if failed else "",
        "participants": participants,
    }


def _connected(request: CallRequest, result: ParticipantResult, summary: dict[str, Any] | None) -> bool:
    return result.failed_hop is None and summary is not None and judge_connection(request, result, summary)


def _credentials(request: CallRequest, index: int) -> tuple[str, str]:
    return rest_credentials(request.turn_secret, f"vardmote-probe-{index}", now=request.issued_at)


def handed_out_secrets(request: CallRequest, count: int) -> list[str]:
    words = [request.turn_secret]
    for index in range(count):
        words.append(_credentials(request, index)[1])
    return words


def scrubbed(value: Any, words: Sequence[str]) -> Any:
    """No credential leaves the probe, even inside a browser's error text."""
    if isinstance(value, str):
        for word in words:
            value = value.replace(word, "••••••")
        return value
    if isinstance(value, dict):
        return {key: scrubbed(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [scrubbed(item, words) for item in value]
    return value


def parse_arguments(argv: Sequence[str] | None) -> CallRequest:
    parser = argparse.ArgumentParser(
        prog="python -m vardmote.verify.browser_call",
        description=(
            "Join a booked room with headless Chromium (one browser per participant, fake camera and "
            "microphone) through the web client, and prove that every participant receives the others' "
            "audio and video. Prints one JSON result naming the hop that failed (DNS, TLS, HTTPS connection, "
            "web page, web client API, TURN allocation, ICE, media). Exit 0 only when every participant "
            "receives media."
        ),
    )
    parser.add_argument(
        "--url", required=True, help="the web client's page, e.g. https://portal.lab.vardmote.example/mote/"
    )
    parser.add_argument("--ca", type=Path, help="the CA the browser trusts (PEM); by default only Chromium's own roots")
    parser.add_argument("--room", required=True, help="the booked room's number (its web alias)")
    parser.add_argument(
        "--turn",
        action="append",
        required=True,
        metavar="URL",
        help="a TURN server for the link, e.g. 'turns:turn.lab.vardmote.example:443?transport=tcp' (repeatable)",
    )
    parser.add_argument(
        "--turn-secret-file",
        required=True,
        metavar="PATH",
        help="file holding TURN's REST shared secret ('-' reads it from stdin); never on the command line",
    )
    parser.add_argument("--participants", type=int, default=2, help="browsers joining the room (default 2)")
    parser.add_argument("--relay-only", action="store_true", help="iceTransportPolicy relay: media through TURN only")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds for everyone to connect (default 60)"
    )
    parser.add_argument(
        "--sample", type=float, default=DEFAULT_SAMPLE_S, help="seconds bytesReceived must grow over (default 3)"
    )
    arguments = parser.parse_args(argv)
    try:
        return _request(arguments)
    except ProbeInputError as error:
        parser.error(str(error))
        raise  # parser.error exits; this line only tells the type checker so


def _request(arguments: argparse.Namespace) -> CallRequest:
    scheme = urlsplit(arguments.url)
    if scheme.scheme != "https" or not scheme.hostname:
        raise ProbeInputError(f"--url {arguments.url}: not an https:// address")
    if not re.fullmatch(r"[0-9]{1,15}", arguments.room):
        raise ProbeInputError(f"--room {arguments.room}: not a room number")
    for url in arguments.turn:
        if not re.match(r"turns?:[^\s]+$", url):
            raise ProbeInputError(f"--turn {url}: not a turn: or turns: address")
    if arguments.ca is not None and not arguments.ca.is_file():
        raise ProbeInputError(f"--ca {arguments.ca}: no such file")
    if arguments.participants < 2:
        raise ProbeInputError(f"--participants {arguments.participants}: a call needs at least 2")
    if arguments.timeout <= 0 or arguments.sample <= 0:
        raise ProbeInputError("--timeout and --sample must be positive")
    try:
        raw = sys.stdin.read() if arguments.turn_secret_file == "-" else Path(arguments.turn_secret_file).read_text()
    except OSError as error:
        raise ProbeInputError(f"--turn-secret-file {arguments.turn_secret_file}: {error.strerror}") from error
    secret = raw.strip()
    if not secret:
        raise ProbeInputError(f"--turn-secret-file {arguments.turn_secret_file}: empty")
    return CallRequest(
        url=arguments.url,
        ca_file=arguments.ca,
        room=arguments.room,
        turn_urls=tuple(arguments.turn),
        turn_secret=secret,
        participants=arguments.participants,
        relay_only=arguments.relay_only,
        timeout_s=arguments.timeout,
        sample_s=arguments.sample,
    )


def main(argv: Sequence[str] | None = None) -> int:
    request = parse_arguments(argv)
    try:
        result = run_call(request)
    except BrowserMissing as error:
        print(f"browser_call: {error}", file=sys.stderr)
        return 2
    except (WebDriverException, RuntimeError) as error:
        # The browser itself gave out (it crashed, or its driver lost it): still one JSON answer.
        said = str(getattr(error, "msg", None) or error).splitlines()[0]
        result = {
            "ok": False,
            "url": request.url.split("#")[0],
            "room": request.room,
            "relay_only": request.relay_only,
            "failed_hop": "browser",
            "detail": scrubbed(said, handed_out_secrets(request, request.participants)),
            "participants": [],
        }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


def _relayed(local: dict[str, Any]) -> bool:
    """Whether the selected pair's local candidate goes through TURN. A relay candidate does; so does a
    peer-reflexive one the browser learns on its relay, which it marks with the relay's protocol: the
    conferencing node sees relayed media come from the relay's internal address, not from the public
    one the relay announces (the region's static NAT), and says so in its connectivity checks."""
    return local.get("candidateType") == "relay" or (
        local.get("candidateType") == "prflx" and local.get("relayProtocol") in ("udp", "tcp", "tls")
    )


if __name__ == "__main__":
    sys.exit(main())
