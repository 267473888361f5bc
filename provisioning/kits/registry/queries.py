"""Read-only look-ups that need neither the region's profiles nor a write transaction: fast enough for
`vardmote kit show` on a registry of 100,000 kits."""

from __future__ import annotations

from sqlalchemy import Engine, select

from provisioning.kits.record import KitRecord
from provisioning.kits.registry.export import EXPORTED
from provisioning.kits.registry.tables import Kit


def find_kit(engine: Engine, tag_or_serial: str) -> KitRecord | None:
    """The kit with this asset tag, or the active kit with this serial (both are indexed)."""
    with engine.connect() as connection:
        for condition in (Kit.asset_tag == tag_or_serial, (Kit.serial == tag_or_serial) & (Kit.status != "retired")):
            row = connection.execute(select(*EXPORTED).where(condition).limit(1)).first()
            if row is not None:
                return KitRecord.model_validate(dict(row._mapping))
    return None
