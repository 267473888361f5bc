"""Read-only look-ups that need neither the region's profiles nor a write transaction: fast enough for
`vardmote kit show` on a registry of 100,000 kits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, case, or_, select

from vardmote.kits.record import KitRecord
from vardmote.kits.registry.export import EXPORTED
from vardmote.kits.registry.registry_keys import normalise_key
from vardmote.kits.registry.tables import KIT_IS_ACTIVE, Kit, KitAlias, KitDevice


def find_kit(engine: Engine, key: str) -> KitRecord | None:
    """The kit a technician names, whichever number they read off the kit, in any case and spacing: its
    asset tag, a tag it had before a move, the serial, IMEI or ICCID of the active kit carrying them, else
    the kit that last carried a device with this serial, IMEI or ICCID (a replaced or retired tablet).
    One statement, each branch an index look-up, the first branch that matches winning."""
    key = normalise_key(key)
    by_tag = Kit.asset_tag == key
    by_alias = Kit.id == select(KitAlias.kit_id).where(KitAlias.asset_tag == key).scalar_subquery()
    by_active_serial = (Kit.serial == key) & KIT_IS_ACTIVE
    by_imei = (Kit.imei == key) & KIT_IS_ACTIVE
    by_iccid = (Kit.iccid == key) & KIT_IS_ACTIVE
    last_carriers = [
        Kit.id == select(KitDevice.kit_id).where(column == key).order_by(KitDevice.id.desc()).limit(1).scalar_subquery()
        for column in (KitDevice.serial, KitDevice.imei, KitDevice.iccid)
    ]
    branches = (by_tag, by_alias, by_active_serial, by_imei, by_iccid)
    query = (
        select(*EXPORTED)
        .where(or_(*branches, *last_carriers))
        .order_by(case(*((branch, rank) for rank, branch in enumerate(branches)), else_=len(branches)))
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else KitRecord.model_validate(dict(row._mapping))


def pending_wipes(engine: Engine, asset_tags: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Per kit, the devices that left it and wait for a wipe: (serial, what was done so far)."""
    return _pending_wipes(engine, Kit.asset_tag.in_(asset_tags))


def all_pending_wipes(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """Every kit's pending wipes (by the index on wipe_state: the few waiting, not the fleet)."""
    return _pending_wipes(engine, None)


def _pending_wipes(engine: Engine, condition: Any) -> dict[str, list[tuple[str, str]]]:
    query = (
        select(Kit.asset_tag, KitDevice.serial, KitDevice.wipe_note)
        .join(Kit, Kit.id == KitDevice.kit_id)
        .where(KitDevice.wipe_state == "pending")
        .order_by(KitDevice.id)
    )
    if condition is not None:
        query = query.where(condition)
    found: dict[str, list[tuple[str, str]]] = {}
    with engine.connect() as connection:
        for tag, serial, note in connection.execute(query):
            found.setdefault(tag, []).append((serial, note or ""))
    return found


def policies_pending(engine: Engine, asset_tags: list[str] | None) -> dict[str, str]:
    """The kits among these (None: all) whose tablet still lacks what the registry says, with what is
    left to do."""
    query = select(Kit.asset_tag, Kit.policy_pending).where(Kit.policy_pending.is_not(None))
    if asset_tags is not None:
        query = query.where(Kit.asset_tag.in_(asset_tags))
    with engine.connect() as connection:
        return {str(tag): str(note) for tag, note in connection.execute(query)}
