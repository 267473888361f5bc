"""The audit log's hash chain: each entry's hash covers its content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vardmote.kits.registry.tables import AuditEntry

GENESIS = "0" * 64


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry: over its content and its predecessor's hash, as stored."""
    fields = [
        entry.prev_hash,
        entry.at,
        entry.actor,
        entry.action,
        entry.asset_tag,
        entry.reason,
        entry.ticket or "",
        entry.details,
    ]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: str


def verify_chain(entries: Iterable[AuditEntry]) -> list[ChainBreak]:
    """Every place where the chain does not hold: an altered entry, or one removed or inserted."""
    breaks = []
    previous = GENESIS
    for entry in entries:
        if entry.prev_hash != previous:
            breaks.append(ChainBreak(entry.id, "does not follow the entry before it (one was removed or inserted)"))
        expected = entry_hash(entry)
        if entry.hash != expected:
            breaks.append(ChainBreak(entry.id, "its content does not match its hash (it was altered)"))
        previous = entry.hash
    return breaks
