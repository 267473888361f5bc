"""The lab's base image: Debian bookworm with systemd, sshd and Python, built once and cached as a tarball."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from vardmote.lab.layout import LabLayout
from vardmote.lab.system import run, run_with_progress

SUITE = "bookworm"
# What every lab host needs before Ansible can reach it; the roles install the rest.
PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "openssh-server",
    "python3",
    "python3-apt",
    "iproute2",
    "ca-certificates",
)


def image_tarball(layout: LabLayout) -> Path:
    # The name carries what went into the image, so a change of packages or mirror builds a new one.
    recipe = hashlib.sha256(f"{SUITE} {layout.mirror} {' '.join(PACKAGES)}".encode()).hexdigest()[:12]
    return layout.image_cache / f"debian-{SUITE}-{recipe}.tar"


def ensure_tarball(layout: LabLayout, say: Callable[[str], None]) -> Path:
    """The cached image, built with debootstrap when this machine has none (about a minute)."""
    tarball = image_tarball(layout)
    if tarball.exists():
        return tarball
    say(f"building the base image with debootstrap from {layout.mirror} (once per machine, about a minute)")
    layout.image_cache.mkdir(parents=True, exist_ok=True)
    scratch = layout.image_cache / f"{tarball.stem}.building"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        debootstrap = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(scratch)]
        run_with_progress([*debootstrap, layout.mirror], _phases_of_debootstrap(say))
        # Every host makes its own SSH host keys at `up`; keys baked into the image would be shared.
        for key in (scratch / "etc" / "ssh").glob("ssh_host_*"):
            key.unlink()
        shutil.rmtree(scratch / "var" / "cache" / "apt" / "archives", ignore_errors=True)
        (scratch / "var" / "cache" / "apt" / "archives" / "partial").mkdir(parents=True)
        partial = tarball.with_suffix(".partial")
        run(["tar", "--numeric-owner", "--xattrs", "-C", str(scratch), "-cf", str(partial), "."])
        os.replace(partial, tarball)  # a killed build never leaves a tarball that looks whole
        say(f"base image cached as {tarball}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tarball


def _phases_of_debootstrap(say: Callable[[str], None]) -> Callable[[str], None]:
    """debootstrap says what it does on lines starting "I: ", hundreds of them ("I: Retrieving
    libc6 …", "I: Validating libc6 …"): the first line of each kind (its first word) is shown, as the
    build's progress."""
    seen: set[str] = set()

    def on_line(line: str) -> None:
        words = line.split()
        if line.startswith("I: ") and len(words) > 1 and words[1] not in seen:
            seen.add(words[1])
            say(f"debootstrap: {line[3:]}")

    return on_line


def ensure_base(layout: LabLayout, say: Callable[[str], None]) -> None:
    """Unpack the cached image as the lab's read-only lower layer (skipped when already unpacked)."""
    tarball = ensure_tarball(layout, say)
    marker = layout.lab_dir / "base.image"  # beside the image, not inside the hosts' file system
    if marker.exists() and marker.read_text(encoding="utf-8") == tarball.name:
        return
    say(f"unpacking the base image {tarball.name}")
    shutil.rmtree(layout.base_dir, ignore_errors=True)
    layout.base_dir.mkdir(parents=True)
    run(["tar", "--numeric-owner", "--xattrs", "-C", str(layout.base_dir), "-xf", str(tarball)])
    marker.write_text(tarball.name, encoding="utf-8")
