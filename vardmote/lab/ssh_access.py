"""SSH for the lab: a key pair made per lab, a host key per host recorded in the lab's known_hosts,
and a time-boxed wait until every host answers (paramiko: no ssh client binary or config needed)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vardmote.core.file_writing import write_atomically
from vardmote.lab.hosts import LabHost
from vardmote.lab.layout import LabLayout

SSH_USER = "root"


def new_key_pair(comment: str) -> tuple[bytes, str]:
    """An Ed25519 key pair: the private key in OpenSSH format and the public key's line."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, f"{public.decode()} {comment}\n"


def ensure_lab_key(layout: LabLayout) -> str:
    """The lab's own client key (made once per lab, removed by `down`); returns its public line."""
    public_file = layout.private_key.with_suffix(".pub")
    if not layout.private_key.exists() or not public_file.exists():
        layout.ssh_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        private, public = new_key_pair("vardmote-lab")
        write_atomically(layout.private_key, private, 0o600)
        public_file.write_text(public, encoding="utf-8")
    return public_file.read_text(encoding="utf-8")


def host_key_of(root: Path, host: LabHost) -> tuple[bytes, str]:
    """The host's key pair: kept across `up`s once made, so known_hosts stays right."""
    private_file = root / "etc" / "ssh" / "ssh_host_ed25519_key"
    public_file = private_file.with_suffix(".pub")
    if private_file.exists() and public_file.exists():
        return private_file.read_bytes(), public_file.read_text(encoding="utf-8")
    return new_key_pair(f"root@{host.name}")


def write_known_hosts(layout: LabLayout, entries: Iterable[tuple[LabHost, str]]) -> None:
    lines = []
    for host, public in entries:
        kind, key = public.split()[:2]
        lines.append(f"{host.address} {kind} {key}\n")
    layout.known_hosts.write_text("".join(lines), encoding="utf-8")


def _answers(layout: LabLayout, host: LabHost, deadline: float) -> str | None:
    """None once the host runs a command over SSH; else why not, when the deadline passed."""
    import paramiko  # noqa: PLC0415 - loaded only when hosts are waited for

    reason = "no answer"
    while time.monotonic() < deadline:
        client = paramiko.SSHClient()
        client.load_host_keys(str(layout.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(
                host.address, username=SSH_USER, key_filename=str(layout.private_key),
                timeout=2, banner_timeout=2, auth_timeout=2, allow_agent=False, look_for_keys=False,
            )  # fmt: skip
            _, stdout, _ = client.exec_command("true", timeout=5)
            if stdout.channel.recv_exit_status() == 0:
                return None
        except (TimeoutError, OSError, paramiko.SSHException) as err:
            reason = str(err) or type(err).__name__
        finally:
            client.close()
        time.sleep(0.3)
    return reason


def wait_for_ssh(
    layout: LabLayout, hosts: list[LabHost], timeout_s: float, on_ready: Callable[[LabHost], None]
) -> dict[str, str]:
    """Wait (at most `timeout_s` in all) until every host answers; return the ones that did not, with why."""
    deadline = time.monotonic() + timeout_s
    silent: dict[str, str] = {}

    def wait(host: LabHost) -> None:
        reason = _answers(layout, host, deadline)
        if reason is None:
            on_ready(host)
        else:
            silent[host.name] = reason

    with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as pool:
        list(pool.map(wait, hosts))
    return silent
