"""A site over HTTPS for a browser test: the files of one folder, through a request handler that adds
what the site stands in for (the portal's headers, the edge's proxy). TLS 1.2 or later, as the edge's
nginx, with a certificate of the test's CA; a thread per connection, since a browser opens several.

`serving_https` runs it on a thread of the test's own: made inside a test's network namespace
(`Namespace.inside()`), it listens there, and so do the threads it starts for connections.
`https_server` is the server alone, for a site run as a process of its own.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from tests.doubles.tls import TestPki

Handler = type[http.server.SimpleHTTPRequestHandler]


def https_server(
    listen: tuple[str, int],
    root: Path,
    cert_file: Path,
    key_file: Path,
    handler: Handler = http.server.SimpleHTTPRequestHandler,
) -> http.server.ThreadingHTTPServer:
    """`root` through `handler` over HTTPS on `listen`, bound and listening (not yet serving)."""
    server = http.server.ThreadingHTTPServer(listen, partial(handler, directory=str(root)))
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    except BaseException:
        server.server_close()
        raise
    return server


@contextmanager
def serving_https(
    listen: tuple[str, int], root: Path, pki: TestPki, handler: Handler = http.server.SimpleHTTPRequestHandler
) -> Iterator[None]:
    """`root` served on `listen` by a thread of this process (listening when the block starts) until
    the block ends."""
    server = https_server(listen, root, pki.cert_file, pki.key_file, handler)
    try:
        thread = threading.Thread(target=server.serve_forever, name=f"https {listen[0]}:{listen[1]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            server.shutdown()
            thread.join()
    finally:
        server.server_close()
