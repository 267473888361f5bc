"""testinfra hosts over paramiko, with each host's key checked against the inventory's known_hosts."""

from __future__ import annotations

import functools
import shlex
from typing import Any

import paramiko
from testinfra.backend.paramiko import ParamikoBackend
from testinfra.host import Host

from vardmote.verify.model import VerifyHost

CONNECT_TIMEOUT_S = 10


def _option(common_args: str, name: str) -> str | None:
    """An `-o Name=value` option from ansible_ssh_common_args (where the inventory names known_hosts)."""
    words = shlex.split(common_args)
    for index, word in enumerate(words):
        if word == "-o" and index + 1 < len(words) and words[index + 1].lower().startswith(name.lower() + "="):
            return words[index + 1].split("=", 1)[1]
    return None


class StrictParamikoBackend(ParamikoBackend):  # type: ignore[misc]
    """testinfra's paramiko backend, but a host whose key is unknown or different is refused."""

    def __init__(self, target: VerifyHost, **kwargs: Any) -> None:
        self.target = target
        super().__init__(
            f"{target.variables.get('ansible_user', 'root')}@{target.address}",
            ssh_identity_file=target.variables.get("ansible_ssh_private_key_file"),
            timeout=CONNECT_TIMEOUT_S,
            **kwargs,
        )

    @functools.cached_property
    def client(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        known_hosts = _option(str(self.target.variables.get("ansible_ssh_common_args", "")), "UserKnownHostsFile")
        if known_hosts:
            client.load_host_keys(known_hosts)
        else:
            client.load_system_host_keys()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(
            self.target.address,
            username=str(self.target.variables.get("ansible_user", "root")),
            key_filename=self.ssh_identity_file,
            timeout=CONNECT_TIMEOUT_S,
            allow_agent=False,
            look_for_keys=False,
        )
        return client


def testinfra_host(target: VerifyHost) -> Host:
    return Host(StrictParamikoBackend(target))
