"""A network namespace of a test's own, and the ways to work in it: loopback and one veth interface
(both ends inside, so nothing leaves it) holding the addresses the test's servers listen on, optional
files that `ip netns exec` mounts over /etc, commands and programs run in it, and this thread moved
into it for sockets, servers and browsers made in-process.

Programs started in it are `vardmote.verify.sip.processes.Program`s: a session of their own, stopped
by their process group, never by name. The namespace and its /etc/netns folder go when the block
ends, however far setting it up got.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from vardmote.verify.sip.processes import Program

NETNS_ETC = Path("/etc/netns")
CLONE_NEWNET = 0x40000000
START_TIMEOUT_S = 20

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def ip(*args: str) -> None:
    """`ip ARGS`, an error naming the command and what ip said if it fails."""
    done = subprocess.run(["ip", *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip() or f'exit {done.returncode}'}")


@dataclass(frozen=True)
class Namespace:
    name: str
    device: str

    def command(self, *command: str) -> list[str]:
        """`command` as run in the namespace (with its /etc files mounted)."""
        return ["ip", "netns", "exec", self.name, *command]

    @contextmanager
    def inside(self) -> Iterator[None]:
        """This thread, and every thread, process and socket it makes meanwhile, in the namespace."""
        with open("/proc/thread-self/ns/net", "rb") as home, open(f"/run/netns/{self.name}", "rb") as target:
            if _libc.setns(target.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns into {self.name}")
            try:
                yield
            finally:
                if _libc.setns(home.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back to this machine's network")

    def listening(self, address: str, port: int) -> bool:
        """Something listens on TCP address:port in the namespace (asked of the kernel, not connected to)."""
        shown = subprocess.run(
            ["ss", "-N", self.name, "-Hltn", f"src {address}:{port}"], check=True, capture_output=True, text=True
        )
        return bool(shown.stdout.strip())

    @contextmanager
    def running(
        self, name: str, command: Sequence[str], log: Path, *, until: Callable[[], bool], what: str
    ) -> Iterator[Program]:
        """`command` in the namespace, its output in `log`, once `until()` holds (an error naming `what`
        and the log's tail if it exits or takes longer than START_TIMEOUT_S), stopped by its process
        group when the block ends."""
        program = Program(name, self.command(*command), log)
        try:
            program.wait_until(until, START_TIMEOUT_S, what)
            yield program
        finally:
            program.stop()


def _etc_files(name: str, files: Mapping[str, str], cleanup: ExitStack) -> None:
    etc = NETNS_ETC / name
    # `ip netns add` has just made the name, so a folder of that name is a crashed run's: ours to replace.
    cleanup.callback(shutil.rmtree, etc, ignore_errors=True)
    etc.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (etc / file).write_text(text, encoding="utf-8")


def _wait_for_carrier(name: str, device: str) -> None:
    # Chromium takes a machine whose only non-loopback link has no carrier yet for offline
    # (net::ERR_INTERNET_DISCONNECTED); a veth's carrier comes a moment after "up".
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        shown = subprocess.run(["ip", "-n", name, "link", "show", device], check=True, capture_output=True, text=True)
        if "LOWER_UP" in shown.stdout:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{device} in {name} has no carrier after {START_TIMEOUT_S} s")
        time.sleep(0.1)


@contextmanager
def network_namespace(
    prefix: str, device: str, addresses: Sequence[str], etc_files: Mapping[str, str] | None = None
) -> Iterator[Namespace]:
    """A namespace `PREFIX-PID` with loopback and `device` holding `addresses` (CIDR, e.g.
    "10.250.16.1/24"), `etc_files` (name: text) in /etc/netns/PREFIX-PID/; removed when the block ends.

    A veth pair with both ends inside (`DEVICE-peer` the other end), not a dummy interface: that needs a
    kernel module a container may lack. WebRTC (libnice, Chromium) ignores loopback, so the servers'
    addresses are on an interface that is not."""
    name = f"{prefix}-{os.getpid()}"
    with ExitStack() as cleanup:
        ip("netns", "add", name)
        cleanup.callback(ip, "netns", "delete", name)
        if etc_files:
            _etc_files(name, etc_files, cleanup)
        ip("-n", name, "link", "set", "lo", "up")
        ip("-n", name, "link", "add", device, "type", "veth", "peer", "name", f"{device}-peer")
        for address in addresses:
            ip("-n", name, "address", "add", address, "dev", device)
        ip("-n", name, "link", "set", f"{device}-peer", "up")
        ip("-n", name, "link", "set", device, "up")
        _wait_for_carrier(name, device)
        yield Namespace(name, device)
