"""A lab host playing a freshly deployed Conferencing Node's configuration upload page.

A Pexip node starts as a generic VM that serves a page where its bootstrap configuration is
uploaded; given the document the Management API answered for its worker_vm, it configures itself
and registers with the Management Node, which then reports it SYNCED. The lab's conferencing and
edge hosts are open-source stand-ins, so `vardmote lab up` runs this page in each one's network
namespace, on the port and path the stack's `pexip.node_bootstrap_*` settings name. What it is given
it hands to the Management API stand-in (its NODE_UPLOAD_PATH), as the node's registration would,
and answers what the Management Node answered. Unlike a real node's, the page stays: a lab host
can be bootstrapped again after `pulumi destroy`, without being redeployed.

    python -m vardmote.lab.node_upload_page --host 10.231.0.74 --cert … --key … \\
        --management https://10.231.0.10/ --ca /run/vardmote-lab.ca.pem
"""

from __future__ import annotations

import argparse
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from vardmote.lab.management_api import NODE_UPLOAD_PATH
from vardmote.lab.tls_server import serve_over_tls

MAX_DOCUMENT_BYTES = 1 << 20  # a bootstrap document is a few kilobytes


class _UploadPage(BaseHTTPRequestHandler):
    server: _PageServer

    def log_message(self, *_: Any) -> None:
        pass

    def _answer(self, status: int, text: str) -> None:
        payload = f"{text}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path != self.server.page_path:
            self._answer(404, "not found")
            return
        self._answer(200, "Upload the node's bootstrap configuration here (POST, multipart field 'file').")

    def do_POST(self) -> None:
        if self.path != self.server.page_path:
            self._answer(404, "not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data") or not 0 < length <= MAX_DOCUMENT_BYTES:
            self._answer(400, "expected the bootstrap document as multipart/form-data")
            return
        body = self.rfile.read(length)
        try:
            with httpx.Client(verify=self.server.management_tls, timeout=30) as client:
                answer = client.post(
                    f"{self.server.management_url}{NODE_UPLOAD_PATH}",
                    content=body,
                    headers={"Content-Type": content_type},
                )
        except httpx.TransportError as err:
            # As a node whose Management Node does not answer: it cannot take its configuration yet.
            self._answer(503, f"the Management Node does not answer ({type(err).__name__})")
            return
        self._answer(answer.status_code, "configuration accepted" if answer.is_success else "configuration refused")


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], page_path: str, management_url: str, ca_file: Path) -> None:
        super().__init__(address, _UploadPage)
        self.page_path = page_path
        self.management_url = management_url.rstrip("/")
        self.management_tls = ssl.create_default_context(cafile=str(ca_file))


def serve(
    host: str, port: int, *, page_path: str, cert: Path, key: Path, management_url: str, ca_file: Path
) -> _PageServer:
    server = _PageServer((host, port), page_path, management_url, ca_file)
    serve_over_tls(server, cert, key)
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a lab node's bootstrap configuration upload page over HTTPS.")
    parser.add_argument("--host", required=True, help="the node's address")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--path", default="/", help="the page's path (pexip.node_bootstrap_path)")
    parser.add_argument("--cert", type=Path, required=True, help="PEM certificate of this host")
    parser.add_argument("--key", type=Path, required=True, help="its PEM private key")
    parser.add_argument("--management", required=True, help="the Management API's URL, https://<address>/")
    parser.add_argument("--ca", type=Path, required=True, help="the CA that signed the Management Node")
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        page_path=args.path,
        cert=args.cert,
        key=args.key,
        management_url=args.management,
        ca_file=args.ca,
    ).serve_forever()


if __name__ == "__main__":
    main()
