"""Kits as plain records straight from the database, for bulk readers such as the policy checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from vardmote.kits.record import KitRecord
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.tables import KIT_IS_ACTIVE, Kit

# A kit record's columns, in its order: the fields of KitRecord, named once.
EXPORTED = tuple(getattr(Kit, name) for name in KitRecord.model_fields)


def active_kit_rows(url: str) -> list[dict[str, Any]]:
    """Every kit that is not retired, as the dicts `vardmote kit list --format json` prints."""
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(select(*EXPORTED).where(KIT_IS_ACTIVE).order_by(Kit.asset_tag))
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()
