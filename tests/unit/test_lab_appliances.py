"""The Pexip appliances the lab plays: which host serves what, the nodes' upload page handing a
bootstrap to the Management API stand-in, and the lab stack's password read as the engine reads it.

The processes themselves run in the lab's namespaces (tests/integration/test_lab_cycle.py); here the
upload page and the stand-in run on loopback, and the provider hands a node its bootstrap through
the page, as `pulumi up --stack lab` does.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tests.doubles.pexip_api import RunningApi
from tests.doubles.tls import TestPki
from vardmote.lab.appliances import planned
from vardmote.lab.hosts import hosts_from_outputs, lab_stack
from vardmote.lab.node_upload_page import serve
from vardmote.lab.system import LabError
from vardmote.platform.engine import LabSecretError, lab_secret
from vardmote.platform.pexip.providers import ConferencingNodeRegistrationProvider
from vardmote.platform.stack_files import project_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab_plan() -> tuple[list[Any], Any]:
    outputs, platform = lab_stack(project_dir())
    return hosts_from_outputs(outputs), platform


def certificates_for(hosts: list[Any]) -> dict[str, dict[str, str]]:
    return {
        host.name: {
            "vardmote_tls_certificate_file": f"/lab/ca/{host.name}.pem",
            "vardmote_tls_key_file": f"/lab/ca/{host.name}.key",
            "vardmote_tls_ca_file": "/lab/ca/ca.pem",
        }
        for host in hosts
    }


def test_the_management_host_serves_the_api_and_each_node_its_upload_page(lab_plan: tuple[list[Any], Any]) -> None:
    hosts, platform = lab_plan
    appliances = planned(hosts, platform.pexip, certificates_for(hosts), "pw")
    served = {(a.host.name, a.name, a.port) for a in appliances}
    assert served == {
        ("lab-pexmgr-01", "management-api", 443),
        ("lab-conf-01", "upload-page", 8443),
        ("lab-edge-01", "upload-page", 8443),
    }
    api = next(a for a in appliances if a.name == "management-api")
    # The password reaches the stand-in on its standard input, never on its command line.
    assert "pw" not in api.argv
    assert api.stdin == "pw\n"
    assert api.argv[1:3] == ("--host", "10.231.0.10")
    page = next(a for a in appliances if a.host.name == "lab-conf-01")
    assert "https://10.231.0.10:443/" in page.argv


def test_a_management_url_that_is_not_the_management_host_is_refused(lab_plan: tuple[list[Any], Any]) -> None:
    hosts, platform = lab_plan
    elsewhere = platform.pexip.model_copy(update={"management_url": "https://10.231.0.11/"})
    refused = r"management_url is https://10\.231\.0\.11/.*lab-pexmgr-01 is at 10\.231\.0\.10"
    with pytest.raises(LabError, match=refused):
        planned(hosts, elsewhere, certificates_for(hosts), "pw")


@pytest.fixture
def upload_page(pexip: RunningApi, test_pki: TestPki) -> Iterator[int]:
    server = serve(
        "127.0.0.1",
        0,
        page_path="/",
        cert=test_pki.cert_file,
        key=test_pki.key_file,
        management_url=pexip.url,
        ca_file=test_pki.ca_file,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


class FastRegistration(ConferencingNodeRegistrationProvider):
    sleep = staticmethod(lambda _s: None)


def registration(pexip: RunningApi, upload_port: int) -> dict[str, Any]:
    connection = pexip.connection()
    provider = FastRegistration()
    provider.configure(ConfigureRequest(Config({"vardmote:pexipPassword": pexip.state.password}, "vardmote")))
    with provider._api({"connection": connection}) as api:
        uri, _ = api.create("system_location", {"name": "Lab transcoding"}, identity={"name": "Lab transcoding"})
    return {
        "connection": connection,
        "resource": "worker_vm",
        "identity": ["name"],
        "fields": {
            "name": "lab-conf-01",
            "hostname": "lab-conf-01",
            "domain": "lab.vardmote.example",
            "address": "10.231.0.74",
            "netmask": "255.255.255.192",
            "gateway": "10.231.0.65",
            "system_location": uri,
            "node_type": "CONFERENCING",
            "vm_cpu_count": 2,
            "vm_system_memory": 2048,
        },
        "secrets": {"password": "node-secret"},
        "bootstrap": {
            "vm": "lab-conf-01",
            "node_address": "127.0.0.1",
            "upload_port": upload_port,
            "upload_path": "/",
            "timeout_s": 10,
            "poll_interval_s": 0.01,
        },
    }


def test_a_node_bootstrapped_through_its_upload_page_syncs(pexip: RunningApi, upload_page: int) -> None:
    provider = FastRegistration()
    provider.configure(ConfigureRequest(Config({"vardmote:pexipPassword": pexip.state.password}, "vardmote")))
    result = provider.create(registration(pexip, upload_page))
    assert result.outs is not None
    assert result.outs["sync_status"] == "SYNCED"
    # The page handed the API's own document on: the stand-in knew it by its token.
    assert set(pexip.state.uploaded) == {1}
    assert pexip.state.uploaded[1] >= 2


def test_a_document_the_management_node_does_not_know_is_refused_and_nothing_syncs(
    pexip: RunningApi, upload_page: int, test_pki: TestPki
) -> None:
    import httpx  # noqa: PLC0415

    forged = b"<conferencing_node_config><management_token>00</management_token></conferencing_node_config>"
    with httpx.Client(verify=False) as client:
        answer = client.post(f"https://127.0.0.1:{upload_page}/", files={"file": ("bootstrap.xml", forged)})
    assert answer.status_code == 400
    assert pexip.state.uploaded == {}


def test_the_lab_password_is_the_one_the_stack_holds_and_a_wrong_passphrase_opens_nothing(tmp_path: Path) -> None:
    password = lab_secret("vardmote:pexipPassword")
    assert len(password) >= 16
    shutil.copy(REPO_ROOT / "Pulumi.lab.yaml", tmp_path / "Pulumi.lab.yaml")
    with pytest.raises(LabSecretError, match="the lab's passphrase does not open this stack's secrets"):
        lab_secret("vardmote:pexipPassword", tmp_path, passphrase="not-the-lab-passphrase")
    with pytest.raises(LabSecretError, match=r"config\.vardmote:noSuchKey: no secure value"):
        lab_secret("vardmote:noSuchKey", tmp_path)
    stack = tmp_path / "Pulumi.lab.yaml"
    text = stack.read_text(encoding="utf-8")
    secure = text.split("vardmote:pexipPassword:\n    secure: ")[1].split("\n")[0]
    damaged = secure[:-6] + ("AAAA==" if not secure.endswith("AAAA==") else "BBBB==")
    stack.write_text(text.replace(secure, damaged), encoding="utf-8")
    with pytest.raises(LabSecretError, match="does not decrypt with the stack's key"):
        lab_secret("vardmote:pexipPassword", tmp_path)
