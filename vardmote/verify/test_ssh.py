"""sshd offers public keys only: no password or keyboard-interactive login."""

from __future__ import annotations

import socket

import paramiko

from vardmote.verify.model import VerifyHost


def test_sshd_refuses_passwords(target: VerifyHost) -> None:
    with socket.create_connection((target.address, 22), timeout=10) as sock:
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=10)
            try:
                transport.auth_none(str(target.variables.get("ansible_user", "root")))
                offered: list[str] = []
                accepted_none = True
            except paramiko.BadAuthenticationType as err:
                offered, accepted_none = list(err.allowed_types), False
        finally:
            transport.close()
    assert not accepted_none, f"{target.name}: sshd let a user in with no authentication at all"
    assert offered == ["publickey"], f"{target.name}: sshd offers {', '.join(offered)} (must be publickey only)"
