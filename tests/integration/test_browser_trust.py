"""The headless browser the call and readiness checks use trusts the CA it is given, and only that."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vardmote.lab.certificates import ensure_host_certificate
from vardmote.verify.chromium import chromium, missing_tools

pytestmark = pytest.mark.skipif(bool(missing_tools()), reason=f"needs the Debian packages {missing_tools()}")

PAGE = "<!doctype html><title>served over verified TLS</title>"


@pytest.fixture
def https_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    paths = ensure_host_certificate(tmp_path / "ca", "localhost", "127.0.0.1", ["localhost"])
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text(PAGE, encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["vardmote_tls_certificate_file"], paths["vardmote_tls_key_file"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_port}/", Path(paths["vardmote_tls_ca_file"])
    finally:
        server.shutdown()
        server.server_close()


def test_the_given_ca_is_trusted_and_fake_devices_answer(https_site: tuple[str, Path]) -> None:
    url, ca_file = https_site
    with chromium(ca_file) as browser:
        browser.get(url)
        assert browser.title == "served over verified TLS"
        kinds = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.mediaDevices.getUserMedia({audio: true, video: true})"
            ".then(stream => done(stream.getTracks().map(track => track.kind).sort()))"
            ".catch(error => done(String(error)));"
        )
        assert kinds == ["audio", "video"]


def test_a_site_of_another_ca_is_refused(https_site: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = https_site
    other = ensure_host_certificate(tmp_path / "other-ca", "other", "127.0.0.1", ["other"])
    with chromium(Path(other["vardmote_tls_ca_file"])) as browser:
        browser.get(url)
        assert browser.title != "served over verified TLS"
        assert "ERR_CERT_AUTHORITY_INVALID" in browser.page_source
