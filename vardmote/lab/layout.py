"""Where the lab keeps its files, and the names of what it makes on the host.

Every name the lab gives a host object starts with `vmlab` (links, namespaces) or `vardmote_lab` /
`vardmote-lab` (nft table, cgroups), so `down` can find and remove what `up` made even when the
lab's state file was lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LAB_DIR_ENV = "VARDMOTE_LAB_DIR"
IMAGE_CACHE_ENV = "VARDMOTE_LAB_IMAGE_CACHE"
MIRROR_ENV = "VARDMOTE_LAB_MIRROR"

DEFAULT_LAB_DIR = Path("/var/lib/vardmote/lab")
DEFAULT_IMAGE_CACHE = Path("/var/cache/vardmote/lab")
DEFAULT_MIRROR = "http://deb.debian.org/debian"

BRIDGE = "vmlab0"
NETNS_PREFIX = "vmlab-"
VETH_PREFIX = "vmlab-v"
NFT_TABLE = "vardmote_lab"
CGROUP_NAME = "vardmote-lab"
# Which lab folder the machine's one lab belongs to (the names above are the machine's, not the folder's).
OWNER_FILE = Path("/run/vardmote-lab.owner")
# The lab CA's certificate, where the lab stack's `pexip.ca_bundle` finds it whichever folder the lab is in.
CA_PUBLISHED = Path("/run/vardmote-lab.ca.pem")
# The cgroup hierarchies systemd in a container needs (a hybrid host: v1 name=systemd plus v2).
CGROUP_ROOTS = (Path("/sys/fs/cgroup/systemd"), Path("/sys/fs/cgroup/unified"))


@dataclass(frozen=True)
class LabLayout:
    lab_dir: Path
    image_cache: Path
    mirror: str

    @classmethod
    def from_environment(cls) -> LabLayout:
        return cls(
            lab_dir=Path(os.environ.get(LAB_DIR_ENV) or DEFAULT_LAB_DIR),
            image_cache=Path(os.environ.get(IMAGE_CACHE_ENV) or DEFAULT_IMAGE_CACHE),
            mirror=os.environ.get(MIRROR_ENV) or DEFAULT_MIRROR,
        )

    @property
    def state_file(self) -> Path:
        return self.lab_dir / "state.json"

    @property
    def base_dir(self) -> Path:
        """The unpacked base image every host's overlay reads from."""
        return self.lab_dir / "base"

    @property
    def ssh_dir(self) -> Path:
        return self.lab_dir / "ssh"

    @property
    def private_key(self) -> Path:
        return self.ssh_dir / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.ssh_dir / "known_hosts"

    @property
    def inventory_dir(self) -> Path:
        return self.lab_dir / "inventory"

    @property
    def ca_dir(self) -> Path:
        return self.lab_dir / "ca"

    def host_dir(self, host: str) -> Path:
        return self.lab_dir / "hosts" / host

    def root_dir(self, host: str) -> Path:
        """The host's file system: the overlay of its own changes on the base image."""
        return self.host_dir(host) / "root"

    def log_file(self, host: str) -> Path:
        return self.host_dir(host) / "console.log"


def cgroup_dirs(host: str) -> list[Path]:
    return [root / CGROUP_NAME / host for root in CGROUP_ROOTS]
