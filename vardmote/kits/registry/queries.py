"""Read-only look-ups that need neither the region's profiles nor a write transaction: fast enough for
`vardmote kit show` on a registry of 100,000 kits."""

from __future__ import annotations

from sqlalchemy import Engine, case, or_, select

from vardmote.kits.record import KitRecord
from vardmote.kits.registry.export import EXPORTED
from vardmote.kits.registry.tables import KIT_IS_ACTIVE, Kit, KitDevice


def find_kit(engine: Engine, tag_or_serial: str) -> KitRecord | None:
    """The kit with this asset tag, else the active kit with this serial, else the kit that last carried a
    device with this serial (a replaced or retired tablet). One statement, each branch an index look-up."""
    by_tag = Kit.asset_tag == tag_or_serial
    by_active_serial = (Kit.serial == tag_or_serial) & KIT_IS_ACTIVE
    last_carrier = (
        select(KitDevice.kit_id)
        .where(KitDevice.serial == tag_or_serial)
        .order_by(KitDevice.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(*EXPORTED)
        .where(or_(by_tag, by_active_serial, Kit.id == last_carrier))
        .order_by(case((by_tag, 0), (by_active_serial, 1), else_=2))
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else KitRecord.model_validate(dict(row._mapping))
