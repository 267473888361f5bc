"""The registry's tables (SQLAlchemy 2). The migrations in migrations/ create exactly these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, literal_column, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ACTIVE = "status <> 'retired'"


class Base(DeclarativeBase):
    pass


class Kit(Base):
    """A kit: identified by its asset tag, which it keeps for life, plus its current device's serial."""

    __tablename__ = "kits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_tag: Mapped[str] = mapped_column(String(20), unique=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    alternative: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(80))
    serial: Mapped[str] = mapped_column(String(40))
    imei: Mapped[str | None] = mapped_column(String(15))
    iccid: Mapped[str | None] = mapped_column(String(22))
    status: Mapped[str] = mapped_column(String(12))
    support_party: Mapped[str] = mapped_column(String(12))
    contents: Mapped[list[str]] = mapped_column(JSON)
    mdm_driver: Mapped[str] = mapped_column(String(12))
    mdm_ref: Mapped[str | None] = mapped_column(String(200))
    # The device's own name in its MDM, once it has enrolled (mdm_ref names what it enrolled with).
    mdm_device: Mapped[str | None] = mapped_column(String(200))
    # Set while the tablet lacks what the registry says (a move, a change of alternative): what is left.
    policy_pending: Mapped[str | None] = mapped_column(Text)
    # Who is enrolling this kit right now (host:pid:run), so a concurrent run is refused and a
    # crashed one can be taken over.
    lock_owner: Mapped[str | None] = mapped_column(String(120))
    lock_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    devices: Mapped[list[KitDevice]] = relationship(back_populates="kit", order_by="KitDevice.id")

    __table_args__ = (
        # A device or SIM belongs to one active kit at a time; a retired kit frees them.
        Index("uq_kits_active_serial", "serial", unique=True, sqlite_where=text(ACTIVE), postgresql_where=text(ACTIVE)),
        Index("uq_kits_active_imei", "imei", unique=True, sqlite_where=text(ACTIVE), postgresql_where=text(ACTIVE)),
        Index("uq_kits_active_iccid", "iccid", unique=True, sqlite_where=text(ACTIVE), postgresql_where=text(ACTIVE)),
        Index("ix_kits_municipality", "municipality_code"),
    )


# "This kit is active", written with the literal of the partial indexes' WHERE (ACTIVE): a planner uses
# a partial index only when the query's condition implies the index's, which a bound parameter does not
# (SQLite then scans the whole table for every look-up by serial, IMEI or ICCID).
KIT_IS_ACTIVE = Kit.status != literal_column("'retired'")


class KitDevice(Base):
    """Every device a kit has carried, with when and why it left."""

    __tablename__ = "kit_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"))
    serial: Mapped[str] = mapped_column(String(40))
    imei: Mapped[str | None] = mapped_column(String(15))
    iccid: Mapped[str | None] = mapped_column(String(22))
    model: Mapped[str] = mapped_column(String(80))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removal_status: Mapped[str | None] = mapped_column(String(12))
    removal_reason: Mapped[str | None] = mapped_column(Text)
    mdm_ref: Mapped[str | None] = mapped_column(String(200))
    mdm_device: Mapped[str | None] = mapped_column(String(200))
    # A device that left its kit must be wiped: pending until the MDM accepted the wipe (sent) or the
    # technician confirmed the work order (confirmed). wipe_note says how and where.
    wipe_state: Mapped[str | None] = mapped_column(String(12))
    wipe_note: Mapped[str | None] = mapped_column(Text)

    kit: Mapped[Kit] = relationship(back_populates="devices")

    __table_args__ = (
        Index("ix_kit_devices_kit", "kit_id"),
        # A tablet that left its kit (replaced, retired) is still looked up by the serial on its back.
        Index("ix_kit_devices_serial", "serial"),
        Index("ix_kit_devices_imei", "imei"),
        Index("ix_kit_devices_iccid", "iccid"),
        Index("ix_kit_devices_wipe_state", "wipe_state"),
    )


class KitAlias(Base):
    """An asset tag a kit had before a move: the old label on the case still finds the kit."""

    __tablename__ = "kit_aliases"

    asset_tag: Mapped[str] = mapped_column(String(20), primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_kit_aliases_kit", "kit_id"),)


class TagSequence(Base):
    """The next asset-tag number per municipality (RVN-2281-00042)."""

    __tablename__ = "tag_sequences"

    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class AuditEntry(Base):
    """One lifecycle event. Rows are only ever added; each carries the hash of the one before."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    asset_tag: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    ticket: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed exactly as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row: the newest entry's hash. Writers lock it, so entries chain in one order."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
