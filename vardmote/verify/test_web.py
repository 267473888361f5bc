"""End to end through the reverse proxy: the portal (HTTPS, HSTS) and the web client's API behind it."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from vardmote.verify.conftest import connection, in_group
from vardmote.verify.model import VerifyHost


def _get(edge: VerifyHost, path: str) -> httpx.Response:
    portal_name = str(edge.var("vardmote_portal")["public_name"])
    context = ssl.create_default_context(cafile=str(Path(edge.var("vardmote_tls_ca_file"))))
    with httpx.Client(verify=context, timeout=10) as client:
        return client.get(
            f"https://{edge.address}{path}",
            headers={"Host": portal_name},
            extensions={"sni_hostname": portal_name},
        )


@pytest.mark.parametrize("edge", in_group("edge"), ids=lambda host: host.name)
def test_the_portal_is_served_through_the_proxy_with_hsts(edge: VerifyHost) -> None:
    response = _get(edge, "/")
    assert response.status_code == 200, f"{edge.name}: GET / through the proxy gave {response.status_code}"
    assert "Digitala vårdmöten" in response.text
    hsts = response.headers.get("strict-transport-security", "")
    assert "max-age=" in hsts, f"{edge.name}: no Strict-Transport-Security header"
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000, f"{edge.name}: HSTS shorter than a year"


@pytest.mark.parametrize("edge", in_group("edge"), ids=lambda host: host.name)
def test_the_web_client_api_answers_through_the_proxy(edge: VerifyHost) -> None:
    if not in_group("conferencing_lab"):
        pytest.skip("no conferencing stand-in in this inventory")
    response = _get(edge, "/webapp/janus/info")
    assert response.status_code == 200, f"{edge.name}: /webapp/janus/info gave {response.status_code}"
    assert response.json().get("janus") == "server_info"


@pytest.mark.parametrize("portal", in_group("portal"), ids=lambda host: host.name)
def test_the_portal_is_configured_from_the_stack(portal: VerifyHost) -> None:
    remote = connection(portal.name)
    settings = portal.var("vardmote_portal")
    config = remote.file("/etc/vardmote-portal/portal.yml")
    assert config.exists, f"{portal.name}: no /etc/vardmote-portal/portal.yml"
    assert config.mode == 0o640, f"{portal.name}: portal.yml is mode {config.mode:o} (must be 640)"
    assert config.group == "www-data", f"{portal.name}: portal.yml belongs to group {config.group}"
    for value in (settings["sender_hsa_id"], settings["message_service_url"], settings["public_name"]):
        assert value in config.content_string, f"{portal.name}: portal.yml does not carry {value}"
    invitation = remote.file("/etc/vardmote-portal/invitations/vardbesok.json")
    assert invitation.exists, f"{portal.name}: the invitation templates are not rendered"
    assert "{{ meeting_link }}" in invitation.content_string, "placeholders must stay for the portal to fill"
