"""python -m vardmote.verify.sip: run an end of a phone call, or place a call through one.

serve operator|room   the end until SIGTERM or Ctrl-C (the operator end's password: the environment
                      variable VARDMOTE_SIP_TRUNK_PASSWORD, never an argument)
call NUMBER           one call through a running end's proxy; exit 0 with RTP both ways, 1 otherwise
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from vardmote.verify.sip.ends import EndSettings, RunningEnd
from vardmote.verify.sip.front import TlsFiles
from vardmote.verify.sip.probe import place_call
from vardmote.verify.sip.processes import SipToolError

PASSWORD_VARIABLE = "VARDMOTE_SIP_TRUNK_PASSWORD"


def host_port(value: str) -> tuple[str, int]:
    host, separator, port = value.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{value!r}: give ADDRESS:PORT, e.g. 127.0.0.1:5060")
    return host.strip("[]"), int(port)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m vardmote.verify.sip",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "example, the trunk's end and a dial-in call through it:\n"
            "  VARDMOTE_SIP_TRUNK_PASSWORD=… python -m vardmote.verify.sip serve operator --address 10.231.0.200 \\\n"
            "      --gateway 10.231.0.40:5061 --username lab --certificate trunk.pem --key trunk.key --ca ca.pem\n"
            "  python -m vardmote.verify.sip call +46606000482913 --via 127.0.0.1:5060 \\\n"
            "      --domain lab.vardmote.example --media-address 10.231.0.200"
        ),
    )
    commands = top.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the operator (trunk) end or the room (conferencing node) end")
    serve.add_argument("kind", choices=["operator", "room"])
    serve.add_argument("--address", required=True, help="the end's address: TLS SIP on it, and media by default")
    serve.add_argument("--port", type=int, default=5061, help="its TLS SIP port (default 5061)")
    serve.add_argument("--gateway", required=True, type=host_port, help="the gateway, ADDRESS:PORT (TLS)")
    serve.add_argument("--certificate", required=True, type=Path, help="the end's TLS certificate (PEM)")
    serve.add_argument("--key", required=True, type=Path, help="its private key (PEM)")
    serve.add_argument("--ca", required=True, type=Path, help="the CA the gateway's certificate is checked against")
    serve.add_argument("--media-address", help="where its RTP echo listens (default: --address)")
    serve.add_argument("--media-port", type=int, default=16000, help="the echo's UDP port (default 16000)")
    serve.add_argument("--inner-address", default="127.0.0.1", help="the proxy's loopback side for probes")
    serve.add_argument("--inner-port", type=int, default=5060, help="its UDP port; SIPp answers on the next one")
    serve.add_argument("--challenge", choices=["proxy", "www"], default="proxy", help="operator: 407 or 401")
    serve.add_argument("--realm", help="operator: the digest realm (default: --address)")
    serve.add_argument("--username", help="operator: the trunk's digest username")
    serve.add_argument("--folder", type=Path, help="keep logs and SIPp traces here (default: a temporary folder)")

    call = commands.add_parser("call", help="place one call through a running end and count its RTP")
    call.add_argument("number", help="what to call: +E.164 for a phone or a room's number, or a room's SIP user")
    call.add_argument("--via", required=True, type=host_port, help="the end's proxy, ADDRESS:PORT (its --inner-*)")
    call.add_argument("--domain", required=True, help="the SIP domain of the request URI, e.g. lab.vardmote.example")
    call.add_argument("--media-address", required=True, help="this host's address the far end sends RTP to")
    call.add_argument("--packets", type=int, default=50, help="RTP packets to send, 20 ms apart (default 50)")
    call.add_argument("--min-share", type=float, default=0.9, help="share of them that must arrive each way")
    call.add_argument("--timeout", type=int, default=15, help="seconds to wait for the answer")
    call.add_argument("--folder", type=Path, help="keep SIPp's traces here (default: a temporary folder)")
    call.add_argument("--json", action="store_true", help="the report as JSON")
    return top


def serve(arguments: argparse.Namespace) -> int:
    password = ""
    if arguments.kind == "operator":
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password or not arguments.username:
            raise SipToolError(f"the operator end needs --username and the password in {PASSWORD_VARIABLE}")
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix=f"vardmote-{arguments.kind}-end-"))
    settings = EndSettings(
        kind=arguments.kind,
        tls_address=arguments.address,
        tls_port=arguments.port,
        gateway=f"{arguments.gateway[0]}:{arguments.gateway[1]}",
        tls=TlsFiles(arguments.certificate, arguments.key, arguments.ca),
        media_address=arguments.media_address,
        media_port=arguments.media_port,
        inner_address=arguments.inner_address,
        inner_port=arguments.inner_port,
        challenge=arguments.challenge if arguments.kind == "operator" else None,
        realm=arguments.realm or arguments.address,
        username=arguments.username or "",
        password=password,
    )
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    try:
        with RunningEnd(settings, folder) as end:
            assert end.echo is not None
            print(
                f"{settings.name} ready: TLS {settings.tls_address}:{settings.tls_port}, calls through "
                f"{end.proxy[0]}:{end.proxy[1]}, RTP echo {end.echo.address}:{end.echo.port}, "
                f"PIDs {' '.join(map(str, end.pids))}, logs in {folder}",
                flush=True,
            )
            while not stop.wait(1):
                end.check_running()
    finally:
        if arguments.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def call(arguments: argparse.Namespace) -> int:
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="vardmote-call-"))
    try:
        report = place_call(
            proxy=arguments.via,
            number=arguments.number,
            domain=arguments.domain,
            media_address=arguments.media_address,
            folder=folder,
            packets=arguments.packets,
            answer_timeout_s=arguments.timeout,
            min_share=arguments.min_share,
        )
    finally:
        if arguments.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report.as_dict()) if arguments.json else report.summary())
    return 0 if report.problem is None else 1


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return serve(arguments) if arguments.command == "serve" else call(arguments)
    except SipToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
