"""What the Pexip appliances themselves serve, played in the lab: the Management API and the nodes'
configuration upload pages.

The lab's management host answers the Management API with the strict stand-in
(vardmote.lab.management_api) on 443, behind a certificate from the lab's CA, and each conferencing
and edge host answers its bootstrap upload page (vardmote.lab.node_upload_page), so that
`pulumi up --stack lab` configures the platform over the lab's network as it would the region's.
Neither is configured by Ansible: on the region's servers they are part of Pexip's images.

Each runs from this machine's virtualenv in its host's network namespace (so the host's own
firewall applies to it, as to everything the host serves) and in a cgroup under the host's, so that
`lab down` stops it with the host and `lab up` finds it again by its cgroup. The Management API's
password is the lab stack's own `vardmote:pexipPassword` (decrypted with the lab's passphrase) and
reaches the stand-in on its standard input, never in a file or a command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from vardmote.core.namespaces import python_module_in
from vardmote.core.ports import tcp_port_answers
from vardmote.lab import containers
from vardmote.lab.hosts import LabHost
from vardmote.lab.layout import CA_PUBLISHED, LabLayout, cgroup_dirs
from vardmote.lab.system import LabError
from vardmote.platform.config import PexipApi

APPLIANCE_CGROUP = "appliance"
START_TIMEOUT_S = 15.0
# The roles of the address plan whose hosts are Pexip appliances in production.
NODE_ROLES = ("transcoding", "edge")
MANAGEMENT_ROLE = "management"


class Place(Protocol):
    """Where an appliance runs: a lab host, or a namespace outside the region (internet.OutsideHost)."""

    @property
    def name(self) -> str: ...
    @property
    def netns(self) -> str: ...
    @property
    def address(self) -> str: ...


@dataclass(frozen=True)
class Appliance:
    host: Place
    name: str  # shown to the user, and names its cgroup and log file
    port: int  # a TCP port on the place's address that answers once it is up
    argv: tuple[str, ...]  # after `python -m`
    stdin: str | None = None
    # Variables added to its environment (readable by root alone, in /proc): for what takes its secret
    # from the environment only.
    environment: tuple[tuple[str, str], ...] = ()


def planned(
    hosts: list[LabHost], api: PexipApi, certificates: dict[str, dict[str, str]], password: str
) -> list[Appliance]:
    """The appliances the lab stack's hosts and its `pexip:` settings call for."""
    management = [host for host in hosts if host.role == MANAGEMENT_ROLE]
    if len(management) != 1:
        raise LabError(f"the lab stack plans {len(management)} management hosts; the Management API needs one")
    manager = management[0]
    url = urlsplit(api.management_url)
    if url.hostname != manager.address:
        raise LabError(
            f"Pulumi.lab.yaml: vardmote:platform.pexip.management_url is {api.management_url}, but the lab's "
            f"management host {manager.name} is at {manager.address}: the providers would talk to nothing"
        )
    api_port = url.port or 443
    api_argv = ["vardmote.lab.management_api", "--host", manager.address, "--port", str(api_port)]
    api_argv += ["--username", api.username, "--password-stdin", *_tls_args(certificates[manager.name])]
    appliances = [Appliance(manager, "management-api", api_port, tuple(api_argv), stdin=f"{password}\n")]
    for host in hosts:
        if host.role not in NODE_ROLES:
            continue
        page_argv = ["vardmote.lab.node_upload_page", "--host", host.address, "--port", str(api.node_bootstrap_port)]
        page_argv += ["--path", api.node_bootstrap_path, "--management", f"https://{manager.address}:{api_port}/"]
        page_argv += ["--ca", certificates[host.name]["vardmote_tls_ca_file"], *_tls_args(certificates[host.name])]
        appliances.append(Appliance(host, "upload-page", api.node_bootstrap_port, tuple(page_argv)))
    return appliances


def _tls_args(certificate: dict[str, str]) -> tuple[str, ...]:
    return ("--cert", certificate["vardmote_tls_certificate_file"], "--key", certificate["vardmote_tls_key_file"])


def publish_ca(ca_file: Path) -> None:
    """The lab CA's certificate where the lab stack's `pexip.ca_bundle` looks for it."""
    shutil.copyfile(ca_file, CA_PUBLISHED)
    CA_PUBLISHED.chmod(0o644)


def appliance_cgroups(host: str, name: str | None = None) -> list[Path]:
    """The cgroups of the appliances a place runs, or of the one named (a place may run several)."""
    folders = [folder / APPLIANCE_CGROUP for folder in cgroup_dirs(host)]
    return folders if name is None else [folder / name for folder in folders]


def running(host: str, name: str | None = None) -> list[int]:
    return containers.pids_in(appliance_cgroups(host, name))


def ensure(layout: LabLayout, appliance: Appliance) -> bool:
    """Start the appliance unless it runs; True if it was started. Waits until its port answers."""
    host = appliance.host
    if running(host.name, appliance.name):
        return False
    command = containers.started_in(
        appliance_cgroups(host.name, appliance.name),
        python_module_in(host.netns, *appliance.argv),
    )
    log_file = layout.host_dir(host.name) / f"{appliance.name}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **dict(appliance.environment)}
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if appliance.stdin is not None else subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=environment,
        )
    if process.stdin is not None:
        with process.stdin:
            process.stdin.write((appliance.stdin or "").encode())
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise LabError(f"{host.name}: the {appliance.name} exited at once ({tail[0]}); see {log_file}")
        if tcp_port_answers(host.address, appliance.port):
            return True
        time.sleep(0.1)
    where = f"{host.address}:{appliance.port}"
    raise LabError(f"{host.name}: the {appliance.name} does not answer on {where}; see {log_file}")
