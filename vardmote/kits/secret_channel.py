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

A channel may also do the tasks' work (`serve`): a kit task then sends its module's name and arguments,
and the command, which has loaded the registry, the profiles and the renderers for its own checks
already, runs the module's handler and answers with its result. ansible-playbook then runs the
playbook without loading the kit stack a second time (see vardmote/kits/action_plugin.py).
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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

TIMEOUT = 30.0
MAX_REQUEST = 256 * 1024 * 1024  # a task's arguments: a large batch's kits, far below this
_PEER = struct.Struct("3i")  # SO_PEERCRED: pid, uid, gid
# A task's work, done by the command: (module, arguments, check mode) -> the module's result.
TaskHandler = Callable[[str, dict[str, Any], bool], dict[str, Any]]


class SecretChannelError(Exception):
    pass


class SecretChannel:
    """Serves `values` (a JSON object of strings) while the `with` block runs; when `held`, only once
    released."""

    def __init__(self, values: Mapping[str, Any], *, held: bool = False, serve: TaskHandler | None = None) -> None:
        self._payload = json.dumps(values).encode()
        self._serve_task = serve
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
    def reference(self) -> dict[str, Any]:
        """What the tasks are given (an extra variable): where to ask, the token to ask with, and whether
        the command does the tasks' work."""
        reference: dict[str, Any] = {"path": str(self.path), "token": self._token}
        if self._serve_task is not None:
            reference["serves"] = True
        return reference

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
                    token, _, request = _read_all(connection).partition(b"\n")
                    if uid != os.getuid() or not hmac.compare_digest(token.strip(), self._token.encode("ascii")):
                        continue
                    self._released.wait()
                    if self._closed.is_set():
                        continue
                    connection.sendall(self._answer(request))
                except (OSError, ValueError):  # that caller gone, or its request unreadable: the next one
                    continue

    def _answer(self, request: bytes) -> bytes:
        """The values, or for a task's request ({"task", "params", "check_mode"}) its result."""
        if not request.strip() or self._serve_task is None:
            return self._payload
        asked = json.loads(request)
        try:
            result = self._serve_task(str(asked["task"]), dict(asked["params"]), bool(asked["check_mode"]))
            return json.dumps(result).encode()
        except Exception as err:  # the task fails, saying why; the channel serves on
            return json.dumps({"failed": True, "msg": f"the command failed doing the task: {err}"}).encode()


def _read_all(connection: socket.socket) -> bytes:
    """What the caller sent, up to its end (it shuts its side down)."""
    chunks, size = [], 0
    while chunk := connection.recv(1 << 20):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_REQUEST:
            raise ValueError("request too large")
    return b"".join(chunks)


def _ask(reference: Mapping[str, Any], request: bytes, timeout: float | None) -> bytes:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT)
            connection.connect(str(reference["path"]))
            connection.sendall(str(reference["token"]).encode("ascii") + b"\n" + request)
            connection.shutdown(socket.SHUT_WR)
            connection.settimeout(timeout)
            chunks = []
            while chunk := connection.recv(1 << 20):
                chunks.append(chunk)
    except (OSError, KeyError) as err:
        raise SecretChannelError(
            f"cannot reach the command's secrets ({err}); is `vardmote kit` still running?"
        ) from None
    if not chunks:
        raise SecretChannelError("the command refused to hand over its secrets (wrong run or user)")
    return b"".join(chunks)


def run_task(reference: Mapping[str, Any], task: str, params: Mapping[str, Any], check_mode: bool) -> dict[str, Any]:
    """Have the running `vardmote kit …` do a kit task's work (its channel `serves`); its result. No
    time limit: a large batch's step takes as long as it takes, and a command that ends closes the socket."""
    request = json.dumps({"task": task, "params": dict(params), "check_mode": check_mode}).encode()
    result: dict[str, Any] = json.loads(_ask(reference, request, None))
    return result


def receive(reference: Mapping[str, Any]) -> dict[str, Any]:
    """The values a running `vardmote kit …` serves, asked for with its token."""
    values: dict[str, Any] = json.loads(_ask(reference, b"", TIMEOUT))
    return values
