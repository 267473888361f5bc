"""Read-only look-ups that need neither the region's profiles nor a write transaction: fast enough for
`vardmote kit show` on a registry of 100,000 kits."""

from __future__ import annotations

from sqlalchemy import Engine, select

from provisioning.kits.record import KitRecord
from provisioning.kits.registry.export import EXPORTED
from provisioning.kits.registry.tables import Kit, KitDevice


def find_kit(engine: Engine, tag_or_serial: str) -> KitRecord | None:
    """The kit with this asset tag, else the active kit with this serial, else the kit that last carried a
    device with this serial (a replaced or retired tablet). All three are index look-ups."""
    last_carrier = (
        select(KitDevice.kit_id)
        .where(KitDevice.serial == tag_or_serial)
        .order_by(KitDevice.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with engine.connect() as connection:
        for condition in (
            Kit.asset_tag == tag_or_serial,
            (Kit.serial == tag_or_serial) & (Kit.status != "retired"),
            Kit.id == last_carrier,
        ):
            row = connection.execute(select(*EXPORTED).where(condition).limit(1)).first()
            if row is not None:
                return KitRecord.model_validate(dict(row._mapping))
    return None
