"""Handing a run's secrets to its Ansible tasks without their touching the disk.

ansible-runner writes the whole environment and command line of the run into its artifact folder
(`artifacts/<id>/command`), which a killed run leaves behind, and any process can read a command line.
So `vardmote kit …` takes the secrets the run needs (the APN passwords its profiles name, a registry
URL with its password) out of the environment it hands to ansible-runner, and serves them from its
own memory on a Unix socket in a folder only its user can enter, to a caller of the same user that
presents the run's one-time token. Only the socket's path and the token reach the disk; both are worth
nothing once the command has ended, however it ended.

A channel can also hold the run back: opened `held`, it answers no task until `release()`. The command
starts ansible-playbook while it still checks the kits against the registry, so that Ansible's start
overlaps those checks; no task can write before it has its secrets (the registry's URL among them), so
nothing is written unless the checks pass, and a run whose checks fail is stopped unanswered.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import shutil
import socket
import struct
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TIMEOUT = 30.0
_PEER = struct.Struct("3i")  # SO_PEERCRED: pid, uid, gid


class SecretChannelError(Exception):
    pass


class SecretChannel:
    """Serves `values` (a JSON object of strings) while the `with` block runs; when `held`, only once
    released."""

    def __init__(self, values: Mapping[str, Any], *, held: bool = False) -> None:
        self._payload = json.dumps(values).encode()
        self._token = secrets.token_urlsafe(32)
        self._folder = Path(tempfile.mkdtemp(prefix="vardmote-secrets-"))  # mode 0700
        self.path = self._folder / "channel"
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._thread = threading.Thread(target=self._serve, name="vardmote-secret-channel", daemon=True)
        self._closed = threading.Event()
        self._released = threading.Event()
        if not held:
            self._released.set()

    @property
    def reference(self) -> dict[str, str]:
        """What the tasks are given (an extra variable): where to ask, and the token to ask with."""
        return {"path": str(self.path), "token": self._token}

    def __enter__(self) -> SecretChannel:
        self._server.bind(str(self.path))
        os.chmod(self.path, 0o600)
        self._server.listen(16)
        self._thread.start()
        return self

    def release(self) -> None:
        """Answer the tasks from now on (those waiting first)."""
        self._released.set()

    def __exit__(self, *_: object) -> None:
        self._closed.set()
        self._released.set()  # a task still held back is let go, unanswered
        self._server.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._server.accept()
            except OSError:
                return  # closed
            with connection:
                try:
                    connection.settimeout(TIMEOUT)
                    _, uid, _ = _PEER.unpack(connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER.size))
                    token = connection.recv(256).strip().decode("ascii", "replace")
                    if uid == os.getuid() and hmac.compare_digest(token, self._token):
                        self._released.wait()
                        if not self._closed.is_set():
                            connection.sendall(self._payload)
                except OSError:
                    continue


def receive(reference: Mapping[str, str]) -> dict[str, Any]:
    """The values a running `vardmote kit …` serves, asked for with its token."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT)
            connection.connect(reference["path"])
            connection.sendall(reference["token"].encode("ascii") + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
    except (OSError, KeyError) as err:
        raise SecretChannelError(
            f"cannot reach the command's secrets ({err}); is `vardmote kit` still running?"
        ) from None
    if not chunks:
        raise SecretChannelError("the command refused to hand over its secrets (wrong run or user)")
    values: dict[str, Any] = json.loads(b"".join(chunks))
    return values
