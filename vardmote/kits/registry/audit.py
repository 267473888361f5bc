"""The audit log's hash chain: each entry's hash covers its content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vardmote.kits.registry.tables import AuditEntry, Kit

GENESIS = "0" * 64


# What an audit entry keeps of the kit it leaves behind: every field of the kit that a change records,
# never the lease (a run's bookkeeping) nor timestamps.
STATE_FIELDS = (
    "asset_tag",
    "municipality_code",
    "alternative",
    "model",
    "serial",
    "imei",
    "iccid",
    "status",
    "support_party",
    "mdm_driver",
    "mdm_ref",
    "mdm_device",
    "policy_pending",
)


def kit_state(kit: Kit | Mapping[str, Any]) -> dict[str, Any]:
    """The kit's recorded fields, from a row or from the values a new row is inserted with."""
    if isinstance(kit, Kit):
        return {name: getattr(kit, name) for name in STATE_FIELDS}
    return {name: kit.get(name) for name in STATE_FIELDS}


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


def check_entry(entry: AuditEntry, previous: str) -> list[ChainBreak]:
    """Where one entry breaks the chain: it does not follow `previous` (the hash of the one before), or
    its content is not what its hash covers."""
    breaks = []
    if entry.prev_hash != previous:
        breaks.append(ChainBreak(entry.id, "does not follow the entry before it (one was removed or inserted)"))
    if entry.hash != entry_hash(entry):
        breaks.append(ChainBreak(entry.id, "its content does not match its hash (it was altered)"))
    return breaks


def verify_chain(entries: Iterable[AuditEntry]) -> list[ChainBreak]:
    """Every place where the chain does not hold: an altered entry, or one removed or inserted."""
    breaks = []
    previous = GENESIS
    for entry in entries:
        breaks += check_entry(entry, previous)
        previous = entry.hash
    return breaks
