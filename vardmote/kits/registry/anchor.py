"""The audit log's anchor: how long the log was and how its newest entry hashed, kept outside the database.

An attacker who can write the database can rewrite the audit head along with the log (cut the tail,
empty it, move the head back). The anchor is the head as this machine last saw it, in a 0600 file in
the user's data folder, written by every transaction that adds an entry and only ever moved forward.
Verification then demands that the log still holds that entry at that position. It can be printed
(`vardmote kit audit --verify` shows the head) and kept in a ticket, and given back with `--expect`.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from vardmote.core.file_writing import write_atomically

ANCHOR_ENV = "VARDMOTE_AUDIT_ANCHOR"


@dataclass(frozen=True)
class Anchor:
    entries: int
    last_hash: str

    def __str__(self) -> str:
        return f"{self.entries}:{self.last_hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """`N:HASH`, as `vardmote kit audit --verify` prints it."""
        count, _, digest = text.strip().partition(":")
        if not count.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"an anchor is ENTRIES:SHA256 (as `kit audit --verify` prints it), got {text!r}")
        return cls(int(count), digest)


def anchor_file() -> Path:
    configured = os.environ.get(ANCHOR_ENV)
    if configured:
        return Path(configured)
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "vardmote" / "audit-anchors.json"


def database_key(engine: Engine) -> str:
    """Which registry an anchor belongs to, without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return f"sqlite:{Path(url.database).resolve()}"
    return url.set(password=None).render_as_string(hide_password=True)


def _read(path: Path) -> dict[str, dict[str, object]]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def load(engine: Engine) -> Anchor | None:
    found = _read(anchor_file()).get(database_key(engine))
    if not isinstance(found, dict):
        return None
    entries, last_hash = found.get("entries"), found.get("last_hash")
    if not isinstance(entries, int) or not isinstance(last_hash, str):
        return None
    return Anchor(entries, last_hash)


def advance(engine: Engine, anchor: Anchor) -> None:
    """Record `anchor` for this registry, unless the file already holds a later one (forward only).
    A registry whose data folder cannot be written still works; its anchor is then what was last kept."""
    path = anchor_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a") as lock:  # serialises the runs of this machine
            fcntl.flock(lock, fcntl.LOCK_EX)
            anchors = _read(path)
            key = database_key(engine)
            known = anchors.get(key)
            known_entries = known.get("entries") if isinstance(known, dict) else None
            if isinstance(known_entries, int) and known_entries >= anchor.entries:
                return
            anchors[key] = {"entries": anchor.entries, "last_hash": anchor.last_hash}
            write_atomically(path, (json.dumps(anchors, indent=1, sort_keys=True) + "\n").encode(), 0o600)
    except OSError:
        return
