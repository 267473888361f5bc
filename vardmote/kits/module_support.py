"""The Python behind the Ansible modules in provisioning/library/: they stay thin and call in here."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vardmote.core.problems import one_line
from vardmote.kits.bundle import default_bundle_dir
from vardmote.kits.fan_out import map_kits
from vardmote.kits.record import KitRecord
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from vardmote.kits.secret_channel import receive
from vardmote.kits.steps import KitContext, enroll, render_artifacts, wipe
from vardmote.region.catalogue import build_schemas, load_catalogue

# Everything the handlers need is imported here, at module level, once, and the schemas they validate
# with are built: the kit action plugins import this module, and ansible-playbook loads an action
# plugin's class in its main process before it forks the task (see vardmote/kits/action_plugin.py),
# so each task's process inherits all of it instead of importing SQLAlchemy, pydantic and the renderers
# and building the schemas again.
build_schemas()
KitRecord.model_rebuild()


def _spare_the_collector() -> None:
    """What ansible-playbook and the kit stack have built so far lives until the run ends: the cyclic
    garbage collector is told so (gc.freeze), so that its collections during the run, in ansible's
    forked workers too, and the full one at the interpreter's exit no longer walk it. That last one
    took ~0.3 s after a kit playbook's final stats. Freezing again at exit spares the exit's collection
    what the run built since; the process is ending and the operating system takes its memory back."""
    gc.freeze()
    atexit.register(gc.freeze)


_spare_the_collector()


def registry_for(db_url: str | None, profiles_dir: str | None, actor: str) -> KitRegistry:
    catalogue = load_catalogue(Path(profiles_dir) if profiles_dir else None)
    return KitRegistry(open_engine(db_url), catalogue, actor)


def context_for(
    bundle_dir: str | None,
    profiles_dir: str | None,
    vault_values: Mapping[str, str],
    env_values: Mapping[str, str] | None = None,
) -> KitContext:
    catalogue = load_catalogue(Path(profiles_dir) if profiles_dir else None)
    folder = Path(bundle_dir) if bundle_dir else default_bundle_dir()
    return KitContext(catalogue, folder, vault_values, env_values=env_values or {})


_received: dict[str, dict[str, Any]] = {}


def handed_over(params: Mapping[str, Any]) -> dict[str, Any]:
    """The secrets the running `vardmote kit …` hands this task (see vardmote.kits.secret_channel):
    {"env": {name: value}, "db_url": …}; nothing when the playbook runs without the command."""
    reference = params.get("secret_channel")
    if not reference:
        return {}
    key = str(reference.get("path"))
    if key not in _received:
        _received[key] = receive(reference)
    return _received[key]


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
            if action == "wipes_pending":  # the devices of these kits still to be wiped (a read)
                results += registry.wipes_pending([kit["asset_tag"]])
                continue
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
            if action == "wiped":  # what the MDM step did with each pending wipe
                changed |= registry.record_wipe(int(kit["device_id"]), kit["state"], kit["note"], kit.get("mdm_device"))
                results.append(kit)
                continue
            if action == "complete":  # the one action a batch runs per kit: no look-up of the kit before
                record, completed = registry.complete_enrollment(kit["asset_tag"], kit["mdm_ref"], owner)
                results.append(record.model_dump())
                changed |= completed
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
    def render(kit: Mapping[str, Any]) -> tuple[str, list[str]]:
        if "asset_tag" not in kit:  # check mode: a kit not registered yet would get every file
            return f"new kit {kit.get('serial')}", ["(every file of a new bundle)"]
        record = KitRecord.from_fields(kit)
        return record.asset_tag, render_artifacts(context, record, check_mode)

    return dict(map_kits(render, kits))


def mdm_kits(
    context: KitContext, action: str, kits: Sequence[Mapping[str, Any]], reason: str, check_mode: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    def apply(kit: Mapping[str, Any]) -> dict[str, Any] | str:
        """The kit's result, or the line saying why its MDM step failed."""
        if check_mode and "asset_tag" not in kit:
            return {"asset_tag": None, "mdm_ref": "(would enroll)", "files": []}
        try:
            if action == "enroll":
                record = KitRecord.from_fields(kit)
                mdm_ref, files = enroll(context, record, check_mode)
                return {"asset_tag": record.asset_tag, "mdm_ref": mdm_ref, "files": files}
            result = wipe(context, kit, check_mode)
            if result is None:  # check mode
                return {**kit, "state": "(would wipe or order a wipe)", "note": "", "files": []}
            return {
                "device_id": kit["device_id"],
                "asset_tag": kit["asset_tag"],
                "serial": kit["serial"],
                "state": result.state,
                "note": result.note,
                "mdm_device": result.mdm_device,
                "files": result.files,
            }
        except Exception as err:  # one kit's MDM failure must not hide the others' results
            return f"{kit.get('asset_tag')}: {err}"

    outcomes = map_kits(apply, kits)
    return [o for o in outcomes if isinstance(o, dict)], [o for o in outcomes if isinstance(o, str)]


# -- what the modules and their action plugins run -------------------------------------------------
#
# Each kit module is a pair: a module in library/ (its documentation, and a way to run it anywhere) and an
# action plugin of the same name in action_plugins/ that runs the same handler inside ansible-playbook
# itself. The work is all on the controller (registry, bundles, MDM API), so the action plugin spares
# each task a Python process of its own and the imports that come with it.

REGISTRY_SPEC: dict[str, Any] = {
    "action": {
        "type": "str",
        "required": True,
        "choices": ["register", "complete", "release", "replace", "retire", "retag", "wipes_pending", "wiped"],
    },
    "kits": {"type": "list", "elements": "dict", "required": True},
    "owner": {"type": "str", "required": True},
    "actor": {"type": "str", "required": True},
    "reason": {"type": "str", "default": ""},
    "ticket": {"type": "str"},
    "db_url": {"type": "str", "no_log": True},
    "profiles_dir": {"type": "path"},
    "secret_channel": {"type": "dict", "no_log": True},
}
ARTIFACTS_SPEC: dict[str, Any] = {
    "kits": {"type": "list", "elements": "dict", "required": True},
    "bundle_dir": {"type": "path"},
    "profiles_dir": {"type": "path"},
    "vault_values": {"type": "dict", "default": {}, "no_log": True},
    "secret_channel": {"type": "dict", "no_log": True},
}
MDM_SPEC: dict[str, Any] = {
    "action": {"type": "str", "required": True, "choices": ["enroll", "wipe"]},
    "kits": {"type": "list", "elements": "dict", "required": True},
    "reason": {"type": "str", "default": ""},
    "bundle_dir": {"type": "path"},
    "profiles_dir": {"type": "path"},
}


def registry_task(params: Mapping[str, Any], check_mode: bool) -> dict[str, Any]:
    try:
        db_url = params.get("db_url") or handed_over(params).get("db_url")
        registry = registry_for(db_url, params.get("profiles_dir"), params["actor"])
        kits, changed, failures = run_registry_action(registry, params, check_mode)
    except Exception as err:  # one clear line for the technician, never a traceback or SQL
        return {"failed": True, "msg": one_line(err)}
    if failures:
        return {"failed": True, "msg": "; ".join(failures), "kits": kits, "changed": changed}
    return {"changed": changed, "kits": kits}


def artifacts_task(params: Mapping[str, Any], check_mode: bool) -> dict[str, Any]:
    try:
        context = context_for(
            params.get("bundle_dir"),
            params.get("profiles_dir"),
            params.get("vault_values") or {},
            handed_over(params).get("env") or {},
        )
        changed_files = render_kits(context, params["kits"], check_mode)
    except Exception as err:
        return {"failed": True, "msg": one_line(err)}
    diff = [
        {"before_header": f"{tag}/", "after_header": f"{tag}/", "before": "", "after": "\n".join(files) + "\n"}
        for tag, files in changed_files.items()
        if files
    ]
    return {"changed": any(changed_files.values()), "files": changed_files, "diff": diff}


def mdm_task(params: Mapping[str, Any], check_mode: bool) -> dict[str, Any]:
    try:
        context = context_for(params.get("bundle_dir"), params.get("profiles_dir"), {})
    except Exception as err:
        return {"failed": True, "msg": one_line(err)}
    kits, failures = mdm_kits(context, params["action"], params["kits"], params.get("reason") or "", check_mode)
    if failures:
        # Kits done so far are returned: the registry step after this one is skipped, and a re-run finishes.
        return {"failed": True, "msg": "; ".join(failures), "kits": kits, "changed": bool(kits)}
    return {"changed": bool(kits) and not check_mode, "kits": kits}
