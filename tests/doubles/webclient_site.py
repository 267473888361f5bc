"""The edge and the portal in one small HTTPS site, for the browser call test: the portal's static
pages at `/` and the conferencing node's Janus API at `/webapp/` (the prefix cut off, as the edge's
`proxy_pass http://vardmote_webclient/` does). Run as its own process inside the test's network
namespace, from the checkout's root: `python -m tests.doubles.webclient_site --listen ADDRESS:PORT
--cert … --key … --root … --janus ADDRESS:PORT`. A process of its own, not a thread of the test's
(`serving_https`): in the test's process, a call now and then lost a signalling request the browser
could not fetch.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import sys
from pathlib import Path

from tests.doubles.https_site import https_server

API_PREFIX = "/webapp"
# Longer than Janus's 30 s long poll, so a quiet poll is answered by Janus, not cut off here.
UPSTREAM_TIMEOUT_S = 45


def handler_for(janus: tuple[str, int]) -> type[http.server.SimpleHTTPRequestHandler]:
    """The site's handler: files as they are, `/webapp/…` proxied to the Janus HTTP API at `janus`, a
    502 when it does not answer (as nginx gives)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"{self.command} {self.path.split('?')[0]} {args[1] if len(args) > 1 else ''}\n")

        def do_GET(self) -> None:
            if self.path.startswith(API_PREFIX + "/"):
                self._proxy()
            else:
                super().do_GET()

        def do_POST(self) -> None:
            if self.path.startswith(API_PREFIX + "/"):
                self._proxy()
            else:
                self.send_error(405)

        def _proxy(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection(*janus, timeout=UPSTREAM_TIMEOUT_S)
            try:
                upstream.request(
                    self.command,
                    self.path[len(API_PREFIX) :],
                    body,
                    {"Content-Type": self.headers.get("Content-Type", "application/json")},
                )
                answer = upstream.getresponse()
                data, status, kind = answer.read(), answer.status, answer.getheader("Content-Type", "")
            except OSError:
                self.send_error(502, "the conferencing node does not answer")
                return
            finally:
                upstream.close()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="ADDRESS:PORT")
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--root", type=Path, required=True, help="the portal's files/web folder")
    parser.add_argument("--janus", required=True, help="the Janus HTTP API's ADDRESS:PORT")
    arguments = parser.parse_args()
    address, port = arguments.listen.rsplit(":", 1)
    janus_address, janus_port = arguments.janus.rsplit(":", 1)
    handler = handler_for((janus_address, int(janus_port)))
    server = https_server((address, int(port)), arguments.root, arguments.cert, arguments.key, handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
