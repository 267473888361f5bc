"""Each lab host as a systemd-nspawn container: an overlay on the base image, booted in its namespace.

nspawn runs with `--register=no --keep-unit` (this machine's init is not systemd, so there is no
machined to register with) in a cgroup of its own under each hierarchy systemd needs; the
container may manage its own nftables (CAP_NET_ADMIN in its own network namespace only).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from vardmote.core.file_writing import write_atomically
from vardmote.lab.hosts import LabHost
from vardmote.lab.layout import CGROUP_NAME, CGROUP_ROOTS, LabLayout, cgroup_dirs
from vardmote.lab.system import LabError, run

STOP_TIMEOUT_S = 20.0


def _mount_points() -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
        return [line.split()[4] for line in mounts]


def _mounted(path: Path) -> bool:
    return str(path) in _mount_points()


def ensure_overlay(layout: LabLayout, host: LabHost) -> Path:
    """The host's root: its own writable layer over the shared base image (kept across `up`s)."""
    root = layout.root_dir(host.name)
    if not _mounted(root):
        upper, work = layout.host_dir(host.name) / "upper", layout.host_dir(host.name) / "work"
        for folder in (upper, work, root):
            folder.mkdir(parents=True, exist_ok=True)
        options = f"lowerdir={layout.base_dir},upperdir={upper},workdir={work}"
        run(["mount", "-t", "overlay", "overlay", "-o", options, str(root)])
    return root


def seed_files(root: Path, host: LabHost, authorized_key: str, host_key: tuple[bytes, str], resolver: str) -> None:
    """Hostname, resolver (the lab's DNS server, as the stack's dns_servers say), the lab's SSH key for
    root and the host's own SSH host key."""
    (root / "etc" / "hostname").write_text(f"{host.name}\n", encoding="utf-8")
    resolv_conf = root / "etc" / "resolv.conf"
    resolv_conf.unlink(missing_ok=True)  # the image's may be a link to this machine's
    resolv_conf.write_text(f"nameserver {resolver}\n", encoding="ascii")
    ssh_dir = root / "root" / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    write_atomically(ssh_dir / "authorized_keys", authorized_key.encode(), 0o600)
    private, public = host_key
    write_atomically(root / "etc" / "ssh" / "ssh_host_ed25519_key", private, 0o600)
    write_atomically(root / "etc" / "ssh" / "ssh_host_ed25519_key.pub", public.encode(), 0o644)
    # Only the host key the lab made and recorded in its known_hosts file.
    (root / "etc" / "ssh" / "sshd_config.d").mkdir(exist_ok=True)
    host_key_config = root / "etc" / "ssh" / "sshd_config.d" / "00-lab-host-key.conf"
    write_atomically(host_key_config, b"HostKey /etc/ssh/ssh_host_ed25519_key\n", 0o644)


def pids_in(folders: list[Path]) -> list[int]:
    """Every process in these cgroups and the cgroups below them."""
    pids: set[int] = set()
    for folder in folders:
        # The container's systemd makes and removes cgroups all the time (above all while it stops):
        # a folder that goes away while it is read simply has no processes left (the kernel says so
        # as ENOENT, or as ENODEV for a cgroup already dying).
        for current, _, files in os.walk(folder):
            if "cgroup.procs" in files:
                with contextlib.suppress(OSError):
                    pids.update(int(pid) for pid in (Path(current) / "cgroup.procs").read_text("ascii").split())
    return sorted(pids)


def running_pids(host: str) -> list[int]:
    """Every process in the host's cgroups: nspawn, the container's systemd and services, and the
    appliance the lab plays on it."""
    return pids_in(cgroup_dirs(host))


def started_in(folders: list[Path], command: list[str]) -> list[str]:
    """`command`, started inside these cgroups (made if missing): a shell joins them, then becomes the
    command (same PID), so the command and all it starts are in them from the first instruction."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    join_then_exec = " ".join(f"echo $$ > {folder / 'cgroup.procs'};" for folder in folders) + ' exec "$@"'
    return ["sh", "-c", join_then_exec, "sh", *command]


def nspawn_pid(host: str) -> int | None:
    """The host's running systemd-nspawn, found in its cgroup: the lab's state may not know it (an
    `up` killed between booting a host and recording it)."""
    for pid in running_pids(host):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text(encoding="ascii").strip() == "systemd-nspawn":
                return pid
    return None


def boot(layout: LabLayout, host: LabHost) -> int:
    """Boot the host's container in the background; return nspawn's PID."""
    # nspawn must start inside the lab's cgroups, which the container's systemd then runs in.
    command = started_in(cgroup_dirs(host.name), [
        "systemd-nspawn", "--boot", "--quiet", "--register=no", "--keep-unit",
        f"--directory={layout.root_dir(host.name)}", f"--machine={host.name}",
        f"--network-namespace-path=/run/netns/{host.netns}", "--capability=CAP_NET_ADMIN",
        "--console=read-only", "--resolv-conf=off", "--timezone=off", "--link-journal=no",
    ])  # fmt: skip
    with open(layout.log_file(host.name), "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    time.sleep(0.2)
    if process.poll() is not None:
        raise LabError(f"{host.name}: systemd-nspawn exited at once; see {layout.log_file(host.name)}")
    return process.pid


def stop(host: str) -> None:
    """Shut the host down (SIGTERM makes nspawn power the container off), then kill what is left."""
    pid = nspawn_pid(host)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while pid in running_pids(host) and time.monotonic() < deadline:
            time.sleep(0.1)
    for _ in range(50):
        left = running_pids(host)
        if not left:
            return
        for leftover in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)
        time.sleep(0.1)
    raise LabError(f"{host}: processes {left} are still running after SIGKILL")


def remove_host_files(layout: LabLayout, host: str) -> None:
    root = layout.root_dir(host)
    if _mounted(root):
        run(["umount", str(root)])
    shutil.rmtree(layout.host_dir(host), ignore_errors=True)


def lab_cgroup_hosts() -> set[str]:
    """Hosts that have a cgroup folder, running or not (found by name, state file or not)."""
    return {child.name for root in CGROUP_ROOTS if (root / CGROUP_NAME).is_dir()
            for child in (root / CGROUP_NAME).iterdir() if child.is_dir()}  # fmt: skip


def remove_cgroups() -> None:
    for root in CGROUP_ROOTS:
        top = root / CGROUP_NAME
        if top.is_dir():
            # Deepest first: a cgroup folder can only be removed once it has no children. One that
            # cannot be removed is named by `leftovers`, which `down` reports.
            for current, _, _ in sorted(os.walk(top), key=lambda entry: -len(Path(entry[0]).parts)):
                with contextlib.suppress(OSError):
                    Path(current).rmdir()


def lab_mounts(layout: LabLayout) -> list[str]:
    prefix = str(layout.lab_dir / "hosts") + "/"
    return [point for point in _mount_points() if point.startswith(prefix)]
