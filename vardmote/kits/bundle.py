"""A kit's enrollment bundle: the folder of files the technician needs, written safely.

Files are replaced atomically (a killed run leaves the old file or the new one, never half of one);
files holding credentials (APN password, enrollment token, the QR code that carries the token) are
mode 0600. Writing the same content again changes nothing, so re-runs report no change.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vardmote.core.file_writing import write_atomically

BUNDLE_DIR_ENV = "VARDMOTE_BUNDLE_DIR"
SECRET_MODE, PUBLIC_MODE = 0o600, 0o644


def default_bundle_dir() -> Path:
    configured = os.environ.get(BUNDLE_DIR_ENV)
    if configured:
        return Path(configured)
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "vardmote" / "bundles"


@dataclass(frozen=True)
class BundleFile:
    name: str
    content: bytes
    secret: bool = False


def write_bundle(folder: Path, files: list[BundleFile], check_mode: bool = False) -> list[str]:
    """Write `files` into `folder`; return the names that changed (or would, in check mode). A batch
    writes ~4,000 files, so each costs as few system calls as it can: a folder that did not exist has
    no file to compare with, and the folder is made and closed to others once, not once a file."""
    changed = []
    existed = folder.is_dir()
    ready = False
    for file in files:
        path = folder / file.name
        mode = SECRET_MODE if file.secret else PUBLIC_MODE
        if existed and _holds(path, file.content, mode):
            continue
        changed.append(file.name)
        if check_mode:
            continue
        if not ready:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            ready = True
        write_atomically(path, file.content, mode)
    return changed


def _holds(path: Path, content: bytes, mode: int) -> bool:
    """Whether `path` is a file of exactly `content`, with `mode`."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(status.st_mode) or stat.S_IMODE(status.st_mode) != mode or status.st_size != len(content):
        return False
    return path.read_bytes() == content


def retire_old_bundles(bundle_dir: Path, asset_tag: str, old_tags: Iterable[str], keep: str) -> list[str]:
    """Remove the folders a moved kit had under its old tags, once its bundle is written under the new
    one: they hold the old municipality's policy, label and credentials, which must be neither printed
    nor imported again. Files matching the glob `keep` (work orders still to do) move to the new folder
    first, so a killed run loses none of them and a re-run finishes. Returns the folders removed."""
    folder = bundle_dir / asset_tag
    removed = []
    for old_tag in old_tags:
        old_folder = bundle_dir / old_tag
        if old_tag == asset_tag or not old_folder.is_dir():
            continue
        for kept in sorted(old_folder.glob(keep)):
            if not (folder / kept.name).exists():
                os.replace(kept, folder / kept.name)
        shutil.rmtree(old_folder)
        removed.append(old_tag)
    return removed
