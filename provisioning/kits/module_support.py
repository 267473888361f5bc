"""The Python behind the Ansible modules in provisioning/library/: they stay thin and call in here."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provisioning.kits.bundle import default_bundle_dir
from provisioning.kits.record import KitRecord
from provisioning.kits.registry.database import open_engine
from provisioning.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from provisioning.kits.steps import KitContext, enroll, render_artifacts, wipe
from provisioning.profiles.catalogue import load_catalogue


def registry_for(db_url: str | None, profiles_dir: str | None, actor: str) -> KitRegistry:
    catalogue = load_catalogue(Path(profiles_dir) if profiles_dir else None)
    return KitRegistry(open_engine(db_url), catalogue, actor)


def context_for(bundle_dir: str | None, profiles_dir: str | None, vault_values: Mapping[str, str]) -> KitContext:
    catalogue = load_catalogue(Path(profiles_dir) if profiles_dir else None)
    return KitContext(catalogue, Path(bundle_dir) if bundle_dir else default_bundle_dir(), vault_values)


def _ids(kit: Mapping[str, Any]) -> DeviceIds:
    return DeviceIds(str(kit["serial"]), kit.get("imei") or None, kit.get("iccid") or None)


def run_registry_action(
    registry: KitRegistry, params: Mapping[str, Any], check_mode: bool
) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """Apply `params["action"]` to each kit; return the kits as records, whether anything changed, and
    one line per kit that failed (the others are done)."""
    action, owner = params["action"], params["owner"]
    reason, ticket = params.get("reason") or action, params.get("ticket")
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    changed = False
    for kit in params["kits"]:
        label = kit.get("asset_tag") or kit.get("serial")
        try:
            if check_mode:
                results.append({**kit, "work_left": True})
                changed = True
                continue
            if action == "register":
                record, work_left = registry.register(
                    _ids(kit),
                    model=kit["model"],
                    municipality_code=kit["municipality_code"],
                    owner=owner,
                    reason=reason,
                    ticket=ticket,
                )
                results.append({**record.model_dump(), "work_left": work_left})
                changed |= work_left
                continue
            before = registry.show(kit["asset_tag"])
            record = _apply(registry, action, kit, owner=owner, reason=reason, ticket=ticket)
            results.append({**record.model_dump(), "previous": before.model_dump()})
            changed |= record != before
        except RegistryError as err:
            failures.append(f"{label}: {err}")
    return results, changed, failures


def _apply(
    registry: KitRegistry, action: str, kit: Mapping[str, Any], *, owner: str, reason: str, ticket: str | None
) -> KitRecord:
    tag = kit["asset_tag"]
    if action == "complete":
        return registry.complete_enrollment(tag, kit["mdm_ref"], owner)
    if action == "release":
        registry.release(tag, owner)
        return registry.show(tag)
    if action == "replace":
        return registry.replace(
            tag,
            _ids(kit),
            old_status=kit.get("old_status", "in_repair"),
            reason=reason,
            ticket=ticket,
            owner=owner,
            new_model=kit.get("model"),
        )
    if action == "retire":
        return registry.retire(tag, reason, ticket)
    return registry.retag(tag, kit["municipality_code"], reason, ticket)


def render_kits(context: KitContext, kits: list[Mapping[str, Any]], check_mode: bool) -> dict[str, list[str]]:
    changed: dict[str, list[str]] = {}
    for kit in kits:
        if "asset_tag" not in kit:  # check mode: a kit not registered yet would get every file
            changed[f"new kit {kit.get('serial')}"] = ["(every file of a new bundle)"]
            continue
        changed[kit["asset_tag"]] = render_artifacts(context, KitRecord.model_validate(_record_fields(kit)), check_mode)
    return changed


def mdm_kits(
    context: KitContext, action: str, kits: list[Mapping[str, Any]], reason: str, check_mode: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    done: list[dict[str, Any]] = []
    failures: list[str] = []
    for kit in kits:
        if check_mode and "asset_tag" not in kit:
            done.append({"asset_tag": None, "mdm_ref": "(would enroll)", "files": []})
            continue
        try:
            if action == "enroll":
                record = KitRecord.model_validate(_record_fields(kit))
                mdm_ref, files = enroll(context, record, check_mode)
                done.append({"asset_tag": record.asset_tag, "mdm_ref": mdm_ref, "files": files})
            else:
                previous = KitRecord.model_validate(_record_fields(kit.get("previous") or kit))
                wiped = wipe(context, previous, reason, check_mode)
                done.append({"asset_tag": previous.asset_tag, "wiped": wiped, "mdm_ref": previous.mdm_ref})
        except Exception as err:  # one kit's MDM failure must not hide the others' results
            failures.append(f"{kit.get('asset_tag')}: {err}")
    return done, failures


def _record_fields(kit: Mapping[str, Any]) -> dict[str, Any]:
    fields = KitRecord.model_fields
    return {key: value for key, value in kit.items() if key in fields}
