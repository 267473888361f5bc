"""Everything about a run that can be known before its first write: the kits' identifiers against the
registry, the secrets their profiles name, the bundle folder, the registry's reachability and write
access, the MDM's settings; and the plan a `--check` prints.

A batch is all or nothing: the command runs no playbook while any of this finds a problem, so a bad row
or an unset password leaves the registry and the bundle folder as they were.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, select, text

from vardmote.core.problems import Problem, one_line
from vardmote.kits.intake import KitRequest
from vardmote.kits.mdm.names import AMAPI_ENTERPRISE_ENV, policy_id
from vardmote.kits.registry.tables import KIT_IS_ACTIVE, AuditHead, Kit, TagSequence
from vardmote.kits.secrets import MissingSecret, resolve
from vardmote.region.catalogue import ProfileCatalogue

CHUNK = 500  # identifiers per IN list: far below any database's limit on bound parameters


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _active_holders(engine: Engine, requests: Sequence[KitRequest]) -> dict[tuple[str, str], Kit]:
    """The active kits holding any of these serials, IMEIs or ICCIDs, keyed by (field, value)."""
    found: dict[tuple[str, str], Kit] = {}
    with engine.connect() as connection:
        for field in ("serial", "imei", "iccid"):
            column = getattr(Kit, field)
            values = sorted({v for r in requests if (v := getattr(r, field))})
            for chunk in _chunks(values):
                query = select(Kit.__table__).where(column.in_(chunk), KIT_IS_ACTIVE)
                for row in connection.execute(query):
                    kit = Kit(**dict(row._mapping))
                    found[(field, getattr(kit, field))] = kit
    return found


def registry_problems(engine: Engine, requests: Sequence[KitRequest], source: Path) -> list[Problem]:
    """Rows whose identifiers an active kit in the registry already holds. The same device for the same
    municipality and model is a re-run (the kit is picked up or already done), not a conflict."""
    holders = _active_holders(engine, requests)
    problems = []
    for request in requests:
        same = holders.get(("serial", request.serial))
        if same is not None and (same.municipality_code, same.model) != (request.municipality_code, request.model):
            problems.append(
                Problem(
                    source,
                    request.line,
                    "serial",
                    f"{request.serial} already belongs to kit {same.asset_tag} "
                    f"({same.municipality_code}, {same.model})",
                )
            )
            continue
        for field, what in (("imei", "IMEI"), ("iccid", "ICCID")):
            value = getattr(request, field)
            other = holders.get((field, value)) if value else None
            if other is not None and other.serial != request.serial:
                problems.append(
                    Problem(
                        source,
                        request.line,
                        field,
                        f"{what} {value} already belongs to kit {other.asset_tag} ({other.status})",
                    )
                )
    return problems


class KitNeeds(Protocol):
    """What a kit's preconditions depend on: a batch row, or a kit that moves (line 0)."""

    @property
    def line(self) -> int: ...
    @property
    def municipality_code(self) -> str: ...
    @property
    def model(self) -> str: ...


def secret_problems(
    catalogue: ProfileCatalogue, requests: Sequence[KitNeeds], env: Mapping[str, str] | None = None
) -> list[str]:
    """Each secret the kits' profiles name that this run cannot resolve, with the lines that need it.
    `env`: variables the command has already taken out of its environment for the run."""
    needed: dict[str, list[int]] = {}
    for request in requests:
        municipality = catalogue.find_municipality(request.municipality_code)[1]
        broadband = catalogue.broadband_profiles[municipality.broadband_profile].model
        try:
            resolve(broadband.password_secret, {}, f"broadband profile {municipality.broadband_profile}", env)
        except MissingSecret as err:
            needed.setdefault(str(err), []).append(request.line)
    return [
        f"{message} (kits on line {', '.join(map(str, lines))})" if any(lines) else message
        for message, lines in needed.items()
    ]


def mdm_problems(catalogue: ProfileCatalogue, requests: Sequence[KitNeeds]) -> list[str]:
    """The MDM settings an Android kit of an amapi municipality needs (iPads enroll by their profile)."""
    names = set()
    for request in requests:
        municipality = catalogue.find_municipality(request.municipality_code)[1]
        android = catalogue.models[request.model].model.platform == "android"
        if android and municipality.mdm_driver == "amapi" and not os.environ.get(AMAPI_ENTERPRISE_ENV):
            names.add(municipality.name)
    return [f"{name} uses the amapi driver: set {AMAPI_ENTERPRISE_ENV}=enterprises/<id>" for name in sorted(names)]


def bundle_dir_problem(folder: Path) -> str | None:
    """Why enrollment bundles cannot be written under `folder`, or None."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return f"the bundle folder {folder} cannot be made: {existing} is a file"
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "is" if existing == folder else f"would be made in {existing}, which is"
        return f"the bundle folder {folder} {what} not writable"
    return None


def registry_write_problem(engine: Engine) -> str | None:
    """Why the registry cannot take this run's writes, or None: it is reached, and a write transaction
    is taken on the audit head (every change writes it) and rolled back."""
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            head = connection.execute(select(AuditHead.last_hash).where(AuditHead.id == 1).with_for_update())
            if head.first() is None:
                return "the kit registry has no audit head; run its migrations"
            if engine.dialect.name == "sqlite":
                # BEGIN IMMEDIATE took the write lock already; a read-only file refuses a write itself.
                connection.execute(text("UPDATE audit_head SET entries = entries WHERE id = 0"))
            transaction.rollback()
    except Exception as err:
        return f"cannot write to the kit registry: {one_line(err)}"
    return None


@dataclass(frozen=True)
class PlannedKit:
    line: int
    serial: str
    municipality: str
    asset_tag: str
    action: str  # "register and enroll", "finish its enrollment", "nothing: already enrolled"
    files: str
    mdm: str


def plan(engine: Engine, catalogue: ProfileCatalogue, requests: Sequence[KitRequest]) -> list[PlannedKit]:
    """What the run would do, kit by kit: the tags it would give, the files it would write, what it would
    send to which MDM. Nothing is written."""
    holders = _active_holders(engine, requests)
    with engine.connect() as connection:
        last = dict(connection.execute(select(TagSequence.municipality_code, TagSequence.last_value)).all())
    short = catalogue.region.model.short_name
    planned = []
    for request in requests:
        municipality = catalogue.find_municipality(request.municipality_code)[1]
        model = catalogue.models[request.model].model
        existing = holders.get(("serial", request.serial))
        if existing is not None:
            tag = existing.asset_tag
            action = "nothing: already enrolled" if existing.status == "enrolled" else "finish its enrollment"
        else:
            last[request.municipality_code] = last.get(request.municipality_code, 0) + 1
            tag = f"{short}-{request.municipality_code}-{last[request.municipality_code]:05d} (next free)"
            action = "register and enroll"
        if model.platform == "android":
            files = "policy, token, QR code, label"
            if municipality.mdm_driver == "amapi":
                mdm = f"AMAPI {policy_id(municipality)}, a token"
            else:
                mdm = "bundle (a site MDM imports it)"
        else:
            files, mdm = "profile, label", "none (the iPad installs its profile)"
        if action.startswith("nothing"):
            files, mdm = "-", "-"
        planned.append(PlannedKit(request.line, request.serial, municipality.name, tag, action, files, mdm))
    return planned
