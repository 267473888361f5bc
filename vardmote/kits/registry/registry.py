"""The registry's operations: register, enroll, replace, retire and re-tag kits, each in one transaction
with its audit entry, so that a run killed at any point leaves a consistent, visible state."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Literal, cast

from sqlalchemy import Engine, Table, bindparam, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vardmote.kits.leases import owner_alive
from vardmote.kits.record import KitRecord
from vardmote.kits.registry.anchor import Anchor, advance, load
from vardmote.kits.registry.audit import (
    GENESIS,
    STATE_FIELDS,
    ChainBreak,
    canonical,
    check_entry,
    entry_hash,
    kit_state,
)
from vardmote.kits.registry.registry_keys import normalise_key
from vardmote.kits.registry.tables import (
    KIT_IS_ACTIVE,
    AuditEntry,
    AuditHead,
    Kit,
    KitAlias,
    KitDevice,
    TagSequence,
)
from vardmote.region.catalogue import ProfileCatalogue
from vardmote.region.matrix import SUPPORT_DUTY, ResponsibilityMatrix

LEASE = timedelta(minutes=15)
POLICY_NOT_PUSHED = "not yet sent to the MDM or ordered"
_AUDIT_FIELDS = ("at", "actor", "action", "asset_tag", "reason", "ticket", "details", "prev_hash", "hash")
_CHAIN_COLUMNS = ("id", *_AUDIT_FIELDS)

# The write paths that run once per kit and step are SQL statements built once, here, and run on the
# session's connection with each kit's values: building a statement per call (and the ORM's unit of work
# around added objects) cost more than the SQL itself, and a batch runs such steps hundreds of times.
_KITS, _DEVICES, _SEQUENCES, _HEAD, _AUDIT_LOG = (
    cast(Table, model.__table__) for model in (Kit, KitDevice, TagSequence, AuditHead, AuditEntry)
)
_INSERT_KIT = insert(_KITS).returning(_KITS.c.id)
_INSERT_DEVICE = insert(_DEVICES)
_NEXT_IN_SEQUENCE = text(
    "INSERT INTO tag_sequences (municipality_code, last_value) VALUES (:code, 1) "
    "ON CONFLICT (municipality_code) DO UPDATE SET last_value = tag_sequences.last_value + 1 "
    "RETURNING last_value"
)
_MARK_ENROLLED = (
    update(_KITS)
    .where(_KITS.c.id == bindparam("kit_id"))
    .values(
        status="enrolled", mdm_ref=bindparam("ref"), lock_owner=None, lock_expires=None, updated_at=bindparam("stamp")
    )
)
# Read paths run once per kit and step, likewise built once. A missing IMEI or ICCID is bound as NULL,
# which equals nothing. Each branch carries the active condition itself, so that each is a search of its
# partial index.
_HOLDERS = select(Kit).where(
    or_(
        (Kit.serial == bindparam("serial")) & KIT_IS_ACTIVE,
        (Kit.imei == bindparam("imei")) & KIT_IS_ACTIVE,
        (Kit.iccid == bindparam("iccid")) & KIT_IS_ACTIVE,
    )
)
_KIT = (
    select(Kit)
    .where((Kit.asset_tag == bindparam("key")) | ((Kit.serial == bindparam("key")) & KIT_IS_ACTIVE))
    .order_by(Kit.id.desc())
)
_KIT_FOR_CHANGE = _KIT.with_for_update()
_HEAD_HASH = select(_HEAD.c.last_hash, _HEAD.c.entries).where(_HEAD.c.id == 1).with_for_update()
_INSERT_AUDIT = insert(_AUDIT_LOG)
_ADVANCE_HEAD = (
    update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("new_hash"), entries=_HEAD.c.entries + 1)
)
RemovedStatus = Literal["in_repair", "rma"]


class RegistryError(Exception):
    """Something a technician must know, in one line: a refused or impossible operation."""


@dataclass(frozen=True)
class DeviceIds:
    serial: str
    imei: str | None = None
    iccid: str | None = None


def now() -> datetime:
    return datetime.now(UTC)


class KitRegistry:
    def __init__(self, engine: Engine, catalogue: ProfileCatalogue, actor: str) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self.actor = actor
        self.matrix = ResponsibilityMatrix(catalogue.responsibilities.model, catalogue.region.model)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.municipalities = {m.model.code: m.model for m in catalogue.municipalities.values()}
        self._batch: Session | None = None

    # -- plumbing ---------------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The changes made inside, each still all or nothing on its own (a savepoint), committed as one
        transaction: a batch's kits then cost one commit and one anchor write, not one each. SQLite only,
        where a write transaction holds the whole file, so that no two runs can wait on each other;
        PostgreSQL locks rows, which a batch's kits would take in no fixed order (a municipality's tag
        sequence, then the audit head, then another's sequence), so there each change stays its own
        transaction. A fault that is not a RegistryError leaves the whole batch unwritten; a re-run does it."""
        if self._batch is not None or self.engine.dialect.name != "sqlite":
            yield
            return
        with self._sessions() as session:
            with session.begin():
                self._batch = session
                try:
                    yield
                finally:
                    self._batch = None
            head = session.info.pop("audit_head", None)
        if head is not None:
            advance(self.engine, head)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        if self._batch is not None:
            session = self._batch
            before = session.info.get("audit_head")
            try:
                with session.begin_nested():
                    yield session
            except BaseException:  # the head this change moved is rolled back with it
                if before is None:
                    session.info.pop("audit_head", None)
                else:
                    session.info["audit_head"] = before
                raise
            return
        with self._sessions() as session:
            with session.begin():
                yield session
            head = session.info.pop("audit_head", None)
        if head is not None:  # committed: this machine's anchor moves forward (see anchor.py)
            advance(self.engine, head)

    def _audit(
        self,
        session: Session,
        action: str,
        tag: str,
        *,
        reason: str,
        ticket: str | None,
        details: dict[str, Any],
        state: Kit | Mapping[str, Any],
    ) -> None:
        """Add an entry to the chain. `state`: the kit as this change leaves it, kept in the entry, so
        that verification ties each kit's row to its newest entry (an edited row no longer matches)."""
        connection = session.connection()
        head = connection.execute(_HEAD_HASH).first()
        if head is None:
            raise RegistryError("the registry has no audit head; run its migrations")
        last_hash, count = head
        details = {**details, "state": kit_state(state)}
        entry = AuditEntry(
            at=now().isoformat(timespec="microseconds"),
            actor=self.actor,
            action=action,
            asset_tag=tag,
            reason=reason,
            ticket=ticket,
            details=canonical(details),
            prev_hash=last_hash,
        )
        entry.hash = entry_hash(entry)
        connection.execute(_INSERT_AUDIT, {name: getattr(entry, name) for name in _AUDIT_FIELDS})
        connection.execute(_ADVANCE_HEAD, {"new_hash": entry.hash})
        session.info["audit_head"] = Anchor(int(count) + 1, entry.hash)

    def _next_tag(self, session: Session, code: str) -> str:
        # One statement, so that two runs registering a municipality's first kit at once both succeed
        # (an update-else-insert lets both miss the row and one insert fail): the insert that finds the
        # row advances it instead. SQLite (3.35+) and PostgreSQL take the same SQL.
        value = session.connection().execute(_NEXT_IN_SEQUENCE, {"code": code}).scalar_one()
        return f"{self.catalogue.region.model.short_name}-{code}-{value:05d}"

    def _active_holding(self, session: Session, ids: DeviceIds) -> list[Kit]:
        """The active kits that hold any of these identifiers (one statement for all three)."""
        return list(session.scalars(_HOLDERS, {"serial": ids.serial, "imei": ids.imei, "iccid": ids.iccid}))

    def _kit(self, session: Session, tag_or_serial: str, lock: bool = False, past_devices: bool = False) -> Kit:
        """The kit by asset tag or its active serial. With `past_devices` (look-ups, never changes), also
        the kit that last carried a tablet with this serial, IMEI or ICCID: a returned tablet still names
        its kit."""
        key = normalise_key(tag_or_serial)
        kit = session.scalars(_KIT_FOR_CHANGE if lock else _KIT, {"key": key}).first()
        if kit is None:  # a tag the kit had before a move
            kit_id = session.scalars(select(KitAlias.kit_id).where(KitAlias.asset_tag == key)).first()
            if kit_id is not None:
                kit = session.get(Kit, kit_id, with_for_update=lock)
        if kit is None and past_devices:
            carrier = select(KitDevice.kit_id).where(
                or_(KitDevice.serial == key, KitDevice.imei == key, KitDevice.iccid == key)
            )
            carrier_id = session.scalars(carrier.order_by(KitDevice.id.desc()).limit(1)).first()
            kit = session.get(Kit, carrier_id) if carrier_id is not None else None
        if kit is None:
            raise RegistryError(f"no kit with asset tag, serial, IMEI or ICCID {tag_or_serial!r}")
        return kit

    def _support_party(self, alternative: int) -> str:
        return self.matrix.responsible(SUPPORT_DUTY, alternative)  # type: ignore[arg-type]

    def _check_free(
        self, session: Session, ids: DeviceIds, except_kit: int | None = None, holders: list[Kit] | None = None
    ) -> None:
        """Refuse identifiers an active kit already holds (serial first, then IMEI, then ICCID). `holders`:
        the kits `_active_holding` found for these ids, if the caller has already looked them up."""
        holders = self._active_holding(session, ids) if holders is None else holders
        for field, value, what in (
            ("serial", ids.serial, "serial"),
            ("imei", ids.imei, "IMEI"),
            ("iccid", ids.iccid, "ICCID"),
        ):
            other = next((k for k in holders if value is not None and getattr(k, field) == value), None)
            if other is not None and other.id != except_kit:
                raise RegistryError(f"{what} {value} already belongs to kit {other.asset_tag} ({other.status})")

    def _take_lease(self, kit: Kit, owner: str) -> None:
        if kit.lock_owner and kit.lock_owner != owner:
            live = (
                kit.lock_expires is not None and kit.lock_expires.replace(tzinfo=kit.lock_expires.tzinfo or UTC) > now()
            )
            if live and owner_alive(kit.lock_owner):
                raise RegistryError(
                    f"kit {kit.asset_tag} is being enrolled by another run ({kit.lock_owner.split(':')[0]}); "
                    "wait for it to finish, or run again after it has stopped"
                )
        kit.lock_owner = owner
        kit.lock_expires = now() + LEASE

    # -- lifecycle --------------------------------------------------------------------------------

    def register(
        self,
        ids: DeviceIds,
        *,
        model: str,
        municipality_code: str,
        owner: str,
        reason: str = "enrollment",
        ticket: str | None = None,
    ) -> tuple[KitRecord, bool]:
        """Register a kit for enrollment, or pick up an interrupted one. Returns the kit and whether there
        is enrollment work left (False when the same kit is already enrolled: a re-run)."""
        municipality = self.municipalities.get(municipality_code)
        if municipality is None:
            raise RegistryError(f"unknown municipality {municipality_code!r}")
        try:
            with self._transaction() as session:
                holders = self._active_holding(session, ids)
                existing = next((k for k in holders if k.serial == ids.serial), None)
                if existing is not None:
                    if existing.municipality_code != municipality_code or existing.model != model:
                        raise RegistryError(
                            f"serial {ids.serial} already belongs to kit {existing.asset_tag} "
                            f"({existing.municipality_code}, {existing.model})"
                        )
                    if existing.status == "enrolled":
                        return self.record(existing), False
                    self._take_lease(existing, owner)
                    return self.record(existing), True
                self._check_free(session, ids, holders=holders)
                stamp = now()
                alternative = municipality.alternative
                kit: dict[str, Any] = {
                    "asset_tag": self._next_tag(session, municipality_code),
                    "municipality_code": municipality_code,
                    "alternative": alternative,
                    "model": model,
                    "serial": ids.serial,
                    "imei": ids.imei,
                    "iccid": ids.iccid,
                    "status": "registered",
                    "support_party": self._support_party(alternative),
                    "contents": [c.id for c in self.catalogue.kit.model.components],
                    "mdm_driver": municipality.mdm_driver,
                    "mdm_ref": None,
                    "lock_owner": owner,
                    "lock_expires": stamp + LEASE,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                connection = session.connection()
                kit_id = connection.execute(_INSERT_KIT, kit).scalar_one()
                connection.execute(
                    _INSERT_DEVICE,
                    {
                        "kit_id": kit_id,
                        "serial": ids.serial,
                        "imei": ids.imei,
                        "iccid": ids.iccid,
                        "model": model,
                        "installed_at": stamp,
                    },
                )
                self._audit(
                    session,
                    "register",
                    kit["asset_tag"],
                    reason=reason,
                    ticket=ticket,
                    details={
                        "serial": ids.serial,
                        "imei": ids.imei,
                        "iccid": ids.iccid,
                        "model": model,
                        "municipality": municipality_code,
                        "alternative": alternative,
                    },
                    state=kit,
                )
                return KitRecord.from_fields(kit), True
        except IntegrityError:
            # Another run registered the same device between our check and our insert.
            raise RegistryError(
                f"serial {ids.serial} was registered by another run at the same moment; run again to see it"
            ) from None

    def complete_enrollment(self, tag: str, mdm_ref: str, owner: str) -> tuple[KitRecord, bool]:
        """Mark the kit enrolled under `mdm_ref`; returns it and whether that changed anything (a re-run
        of a finished enrollment does not)."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.status == "enrolled" and kit.mdm_ref == mdm_ref:
                return self.record(kit), False
            if kit.lock_owner not in (None, owner):
                raise RegistryError(f"kit {tag} is held by another run ({kit.lock_owner})")
            session.connection().execute(_MARK_ENROLLED, {"kit_id": kit.id, "ref": mdm_ref, "stamp": now()})
            self._audit(
                session,
                "enroll",
                kit.asset_tag,
                reason="enrolled in MDM",
                ticket=None,
                details={"mdm_driver": kit.mdm_driver, "mdm_ref": mdm_ref, "serial": kit.serial},
                state={**kit_state(kit), "status": "enrolled", "mdm_ref": mdm_ref},
            )
            return self.record(kit).model_copy(update={"status": "enrolled", "mdm_ref": mdm_ref}), True

    def release(self, tag: str, owner: str) -> None:
        """Give up a lease after a failed step, so that a re-run can continue at once."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.lock_owner == owner:
                kit.lock_owner, kit.lock_expires = None, None

    def replace(
        self,
        tag: str,
        new: DeviceIds,
        *,
        old_status: RemovedStatus,
        reason: str,
        ticket: str | None,
        owner: str,
        new_model: str | None = None,
    ) -> KitRecord:
        """Swap the kit's device (keeping the asset tag); the SIM moves along unless a new one is given."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.status == "retired":
                raise RegistryError(f"kit {kit.asset_tag} is retired; enroll a new kit instead")
            if kit.serial == new.serial:
                if kit.status == "registered":  # an interrupted replacement: continue it
                    self._take_lease(kit, owner)
                return self.record(kit)
            iccid = new.iccid or kit.iccid
            self._check_free(session, DeviceIds(new.serial, new.imei, iccid), except_kit=kit.id)
            stamp = now()
            current = session.scalars(
                select(KitDevice).where(KitDevice.kit_id == kit.id, KitDevice.removed_at.is_(None))
            ).first()
            if current is not None:
                current.removed_at, current.removal_status, current.removal_reason = stamp, old_status, reason
                self._order_wipe(current, kit)
            old = {"serial": kit.serial, "imei": kit.imei, "iccid": kit.iccid, "mdm_ref": kit.mdm_ref}
            kit.serial, kit.imei, kit.iccid = new.serial, new.imei, iccid
            kit.model = new_model or kit.model
            kit.status, kit.mdm_ref, kit.mdm_device, kit.updated_at = "registered", None, None, stamp
            self._take_lease(kit, owner)
            session.add(
                KitDevice(
                    kit_id=kit.id, serial=new.serial, imei=new.imei, iccid=iccid, model=kit.model, installed_at=stamp
                )
            )
            self._audit(
                session,
                "replace",
                kit.asset_tag,
                reason=reason,
                ticket=ticket,
                details={
                    "old": old,
                    "old_device_status": old_status,
                    "new": {"serial": new.serial, "imei": new.imei, "iccid": iccid},
                    "sim": "swapped" if new.iccid else "kept",
                    "handled_by": kit.support_party,
                },
                state=kit,
            )
            return self.record(kit)

    def retire(self, tag: str, reason: str, ticket: str | None) -> KitRecord:
        """Retire a kit: it leaves the fleet and frees its device and SIM for reuse."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.status == "retired":
                return self.record(kit)
            stamp = now()
            current = session.scalars(
                select(KitDevice).where(KitDevice.kit_id == kit.id, KitDevice.removed_at.is_(None))
            ).first()
            if current is not None:
                current.removed_at, current.removal_status, current.removal_reason = stamp, "retired", reason
                self._order_wipe(current, kit)
            freed = kit.iccid
            kit.status, kit.iccid, kit.lock_owner, kit.lock_expires, kit.updated_at = "retired", None, None, None, stamp
            self._audit(
                session,
                "retire",
                kit.asset_tag,
                reason=reason,
                ticket=ticket,
                details={"serial": kit.serial, "freed_iccid": freed, "mdm_ref": kit.mdm_ref},
                state=kit,
            )
            return self.record(kit)

    def retag(self, tag: str, municipality_code: str, reason: str, ticket: str | None) -> KitRecord:
        """Follow a move to another municipality, or a municipality's change of alternative: the kit gets
        the new municipality's asset tag and the support party its alternative gives."""
        municipality = self.municipalities.get(municipality_code)
        if municipality is None:
            raise RegistryError(f"unknown municipality {municipality_code!r}")
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.status == "retired":
                raise RegistryError(f"kit {kit.asset_tag} is retired")
            old = {
                "asset_tag": kit.asset_tag,
                "municipality": kit.municipality_code,
                "alternative": kit.alternative,
                "support_party": kit.support_party,
            }
            if kit.municipality_code != municipality_code:
                session.add(KitAlias(asset_tag=kit.asset_tag, kit_id=kit.id, until=now()))
                kit.asset_tag = self._next_tag(session, municipality_code)
            kit.municipality_code, kit.alternative = municipality_code, municipality.alternative
            kit.support_party, kit.updated_at = self._support_party(municipality.alternative), now()
            if old == {
                "asset_tag": kit.asset_tag,
                "municipality": kit.municipality_code,
                "alternative": kit.alternative,
                "support_party": kit.support_party,
            }:
                return self.record(kit)
            # The tablet still has the old municipality's APN, support message and kiosk policy.
            kit.policy_pending = POLICY_NOT_PUSHED
            self._audit(session, "retag", kit.asset_tag, reason=reason, ticket=ticket, details={"old": old}, state=kit)
            return self.record(kit)

    # -- the tablet's policy after a move -------------------------------------------------------------

    def policy_pending(self, tags: list[str]) -> list[tuple[KitRecord, list[str], str]]:
        """The kits among `tags` whose tablet lacks what the registry says: each with its earlier tags
        and what is left to do."""
        with self._sessions() as session:
            kits = list(session.scalars(select(Kit).where(Kit.asset_tag.in_(tags), Kit.policy_pending.is_not(None))))
            aliases = self._aliases(session, {kit.id for kit in kits})
            return [(self.record(kit), aliases.get(kit.id, []), kit.policy_pending or "") for kit in kits]

    def record_push(self, tag: str, state: str, note: str, mdm_device: str | None) -> bool:
        """What pushing the kit's new policy did: `sent` (the MDM took it: the tablet follows) or `ordered`
        (a work order for the technician: still pending). Returns whether anything changed."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.policy_pending is None or (state != "sent" and kit.policy_pending == note):
                return False
            kit.policy_pending = None if state == "sent" else note
            kit.mdm_device = mdm_device or kit.mdm_device
            self._audit(
                session,
                "policy-sent" if state == "sent" else "policy-ordered",
                kit.asset_tag,
                reason=note,
                ticket=None,
                details={"serial": kit.serial, "mdm_device": kit.mdm_device, "municipality": kit.municipality_code},
                state=kit,
            )
            return True

    def confirm_policy(self, tag: str, ticket: str | None) -> bool:
        """The technician applied the kit's new policy or profile by its work order. False if none waited."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            if kit.policy_pending is None:
                return False
            if kit.policy_pending == POLICY_NOT_PUSHED:
                raise RegistryError(
                    f"kit {kit.asset_tag}'s new policy has not been pushed or ordered yet; run `vardmote kit push "
                    f"{kit.asset_tag}` first"
                )
            kit.policy_pending = None
            self._audit(
                session,
                "policy-confirmed",
                kit.asset_tag,
                reason="applied by hand as the work order says",
                ticket=ticket,
                details={"serial": kit.serial, "municipality": kit.municipality_code},
                state=kit,
            )
            return True

    # -- wipes ------------------------------------------------------------------------------------

    @staticmethod
    def _order_wipe(device: KitDevice, kit: Kit) -> None:
        """The device leaves the kit: it must be wiped, with what its MDM knows it by."""
        device.mdm_ref, device.mdm_device = kit.mdm_ref, kit.mdm_device
        device.wipe_state, device.wipe_note = "pending", "not yet sent to the MDM or ordered"

    def wipes_pending(self, tags: list[str]) -> list[dict[str, Any]]:
        """The devices of these kits whose wipe is pending, with what the MDM step needs to wipe them."""
        with self._sessions() as session:
            rows = session.execute(
                select(KitDevice, Kit)
                .join(Kit, Kit.id == KitDevice.kit_id)
                .where(Kit.asset_tag.in_(tags), KitDevice.wipe_state == "pending")
                .order_by(KitDevice.id)
            ).all()
            aliases = self._aliases(session, {kit.id for _, kit in rows})
            return [
                {
                    "device_id": device.id,
                    "asset_tag": kit.asset_tag,
                    "old_tags": aliases.get(kit.id, []),
                    "serial": device.serial,
                    "model": device.model,
                    "mdm_driver": kit.mdm_driver,
                    "mdm_ref": device.mdm_ref,
                    "mdm_device": device.mdm_device,
                    "reason": device.removal_reason,
                }
                for device, kit in rows
            ]

    def record_wipe(self, device_id: int, state: str, note: str, mdm_device: str | None) -> bool:
        """What the MDM step did with a pending wipe: `sent` (the MDM took it; done) or `ordered` (a work
        order waits for the technician: still pending). Returns whether anything changed."""
        with self._transaction() as session:
            device = session.get(KitDevice, device_id, with_for_update=True)
            if device is None or device.wipe_state != "pending":
                return False
            new_state = "sent" if state == "sent" else "pending"
            if device.wipe_note == note and new_state == "pending" and device.mdm_device == (mdm_device or None):
                return False
            device.wipe_state, device.wipe_note = new_state, note
            device.mdm_device = mdm_device or device.mdm_device
            kit = session.get(Kit, device.kit_id)
            assert kit is not None
            self._audit(
                session,
                "wipe-sent" if new_state == "sent" else "wipe-ordered",
                kit.asset_tag,
                reason=note,
                ticket=None,
                details={"serial": device.serial, "mdm_device": device.mdm_device, "wipe_state": new_state},
                state=kit,
            )
            return True

    def confirm_wipe(self, tag: str, serial: str, ticket: str | None) -> bool:
        """The technician wiped the device by its work order. Returns False when it was already confirmed."""
        with self._transaction() as session:
            kit = self._kit(session, tag, lock=True)
            device = session.scalars(
                select(KitDevice)
                .where(KitDevice.kit_id == kit.id, KitDevice.serial == serial, KitDevice.wipe_state.is_not(None))
                .order_by(KitDevice.id.desc())
            ).first()
            if device is None:
                raise RegistryError(f"kit {kit.asset_tag} has no device with serial {serial} waiting for a wipe")
            if device.wipe_state in ("confirmed", "sent"):
                return False
            device.wipe_state, device.wipe_note = "confirmed", f"confirmed by {self.actor}"
            self._audit(
                session,
                "wipe-confirmed",
                kit.asset_tag,
                reason="wiped by hand as the work order says",
                ticket=ticket,
                details={"serial": serial},
                state=kit,
            )
            return True

    @staticmethod
    def _aliases(session: Session, kit_ids: set[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        if kit_ids:
            query = select(KitAlias).where(KitAlias.kit_id.in_(kit_ids)).order_by(KitAlias.until)
            for alias in session.scalars(query):
                found.setdefault(alias.kit_id, []).append(alias.asset_tag)
        return found

    # -- reading ----------------------------------------------------------------------------------

    @staticmethod
    def record(kit: Kit) -> KitRecord:
        return KitRecord.model_validate({name: getattr(kit, name) for name in KitRecord.model_fields})

    def show(self, tag_or_serial: str) -> KitRecord:
        """The kit by asset tag or active serial: what a change may name (a past tablet's serial may not)."""
        with self._sessions() as session:
            return self.record(self._kit(session, tag_or_serial))

    def list_kits(self, municipality_code: str | None = None, status: str | None = None) -> list[KitRecord]:
        with self._sessions() as session:
            query = select(Kit).order_by(Kit.asset_tag)
            if municipality_code:
                query = query.where(Kit.municipality_code == municipality_code)
            if status:
                query = query.where(Kit.status == status)
            return [self.record(kit) for kit in session.scalars(query)]

    def history(self, tag_or_serial: str) -> tuple[KitRecord, list[AuditEntry], list[KitDevice]]:
        """The kit's entries under its tag and every tag it had before a move (its aliases), by the log's
        index on asset_tag, and every device it carried."""
        with self._sessions() as session:
            kit = self._kit(session, tag_or_serial, past_devices=True)
            tags = [kit.asset_tag, *self._aliases(session, {kit.id}).get(kit.id, [])]
            query = select(AuditEntry).where(AuditEntry.asset_tag.in_(tags)).order_by(AuditEntry.id)
            mine = list(session.scalars(query))
            devices = list(session.scalars(select(KitDevice).where(KitDevice.kit_id == kit.id).order_by(KitDevice.id)))
            return self.record(kit), mine, devices

    def verify_audit(self, expect: Anchor | None = None) -> tuple[int, Anchor, list[ChainBreak]]:
        """Check the whole log, streamed as plain rows (a registry of 100,000 kits is never held in
        memory): the hash chain; the head the registry keeps; this machine's anchor and `expect` (an anchor
        kept elsewhere), each of which the log must still hold at its position; and every kit's row against
        the state its newest entry recorded. Returns the entries counted, the log's head, and the breaks."""
        anchors = [a for a in (load(self.engine), expect) if a is not None]
        breaks: list[ChainBreak] = []
        count, previous, last_id = 0, GENESIS, 0
        with self.engine.connect() as connection:
            streamed = connection.execution_options(yield_per=5000)
            for row in streamed.execute(
                select(*(getattr(AuditEntry, name) for name in _CHAIN_COLUMNS)).order_by(AuditEntry.id)
            ):
                # A plain namespace, not a mapped object: a quarter million of those cost seconds.
                entry = cast(AuditEntry, SimpleNamespace(**dict(zip(_CHAIN_COLUMNS, row, strict=True))))
                count += 1
                breaks += check_entry(entry, previous)
                for anchor in anchors:
                    if anchor.entries == count and anchor.last_hash != entry.hash:
                        breaks.append(ChainBreak(entry.id, f"is not entry {count} of the anchor {anchor}"))
                previous, last_id = entry.hash, entry.id
            head = connection.execute(select(AuditHead.last_hash, AuditHead.entries).where(AuditHead.id == 1)).first()
            if head is not None and head.last_hash != previous:
                breaks.append(
                    ChainBreak(
                        last_id, "is not the newest entry the registry recorded (entries were removed from the end)"
                    )
                )
            if head is not None and head.entries != count:
                breaks.append(ChainBreak(0, f"the log has {count} entries, the registry recorded {head.entries}"))
            for anchor in anchors:
                if anchor.entries > count:
                    breaks.append(
                        ChainBreak(0, f"the log has {count} entries, but {anchor.entries} were anchored ({anchor})")
                    )
            # Each kit beside its newest entry (the chain above proved the entries' order is the log's).
            newest = (
                select(AuditEntry.asset_tag, func.max(AuditEntry.id).label("id"))
                .group_by(AuditEntry.asset_tag)
                .subquery()
            )
            kits_and_entries = (
                select(*(getattr(Kit, name) for name in STATE_FIELDS), AuditEntry.details)
                .select_from(Kit)
                .outerjoin(newest, newest.c.asset_tag == Kit.asset_tag)
                .outerjoin(AuditEntry, AuditEntry.id == newest.c.id)
                .order_by(Kit.id)
            )
            for row in streamed.execute(kits_and_entries):
                *fields, details = row
                tag = fields[0]
                if details is None:
                    breaks.append(ChainBreak(0, f"kit {tag} has no entry in the log (entries were removed)"))
                    continue
                recorded = json.loads(details).get("state")
                if recorded is not None and canonical(recorded) != canonical(
                    dict(zip(STATE_FIELDS, fields, strict=True))
                ):
                    breaks.append(ChainBreak(0, f"kit {tag} is not as its newest entry left it (its row was edited)"))
        return count, Anchor(count, previous), breaks
