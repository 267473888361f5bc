"""Running the host's own tools (ip, nft, mount, debootstrap) with errors a person can act on."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence

# Debian packages that provide what the lab runs on the host, by command.
HOST_TOOLS = {
    "systemd-nspawn": "systemd-container",
    "debootstrap": "debootstrap",
    "nft": "nftables",
    "ip": "iproute2",
    "tar": "tar",
    "mount": "mount",
    "dnsmasq": "dnsmasq-base",  # the lab's DNS (internet.py)
}


class LabError(Exception):
    """A lab step failed; the message is one line that says what and where."""


def require_root(action: str) -> None:
    if os.geteuid() != 0:
        raise LabError(
            f"`vardmote lab {action}` needs root: it makes network namespaces, a bridge, nftables rules, "
            f"mounts and containers (run it with sudo)"
        )


def require_tools() -> None:
    missing = sorted({package for tool, package in HOST_TOOLS.items() if shutil.which(tool) is None})
    if missing:
        raise LabError(
            f"the lab needs these Debian packages on this machine: {' '.join(missing)} "
            f"(apt-get install --no-install-recommends {' '.join(missing)})"
        )


def run(command: Sequence[str], *, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `command`; on failure raise LabError naming the command and its last line of stderr."""
    completed = subprocess.run(list(command), input=stdin, capture_output=True, text=True, check=False)
    if check and completed.returncode != 0:
        said = (completed.stderr or completed.stdout).strip().splitlines()
        reason = said[-1] if said else f"exit {completed.returncode}"
        raise LabError(f"`{' '.join(command)}` failed: {reason}")
    return completed


def run_with_progress(command: Sequence[str], on_line: Callable[[str], None]) -> None:
    """Run a long `command`, handing each line it prints to `on_line` as it comes (its progress);
    on failure raise LabError naming the command and its last line."""
    last = ""
    with subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as process:
        assert process.stdout is not None  # a pipe was asked for
        for line in process.stdout:
            if line.strip():
                last = line.strip()
                on_line(last)
    if process.returncode != 0:
        raise LabError(f"`{' '.join(command)}` failed: {last or f'exit {process.returncode}'}")
