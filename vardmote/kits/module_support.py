"""The Python behind the Ansible modules in provisioning/library/: they stay thin and call in here."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from vardmote.core.problems import one_line
from vardmote.kits.artifacts import apple_schema
from vardmote.kits.artifacts.amapi_schema import discovery_document
from vardmote.kits.bundle import default_bundle_dir
from vardmote.kits.fan_out import map_kits, worker_count
from vardmote.kits.record import KitRecord
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from vardmote.kits.secret_channel import receive
from vardmote.kits.steps import KitContext, enroll, render_artifacts, wipe
from vardmote.region.catalogue import ProfileCatalogue, build_schemas, load_catalogue
from vardmote.region.location import PROFILES_DIR_ENV, default_profiles_dir

# Everything the handlers need is imported here, at module level, once, and the schemas they validate
# with are built: the kit action plugins import this module, and ansible-playbook loads an action
# plugin's class in its main process before it forks the task (see vardmote/kits/action_plugin.py),
# so each task's process inherits all of it instead of importing SQLAlchemy, pydantic and the renderers
# and building the schemas again.
build_schemas()
KitRecord.model_rebuild()


_catalogues: dict[Path, ProfileCatalogue] = {}


def catalogue_for(profiles_dir: str | None) -> ProfileCatalogue:
    """The profiles tree's catalogue, loaded and validated once in this process: a playbook's tasks,
    forked from ansible-playbook's main process, inherit the one loaded there (see `_preload`)."""
    root = (Path(profiles_dir) if profiles_dir else default_profiles_dir()).resolve()
    if root not in _catalogues:
        _catalogues[root] = load_catalogue(root)
    return _catalogues[root]


def _preload() -> None:
    """The default tree's catalogue (the one `vardmote kit` names, by option, variable or not at all),
    loaded before ansible-playbook forks the tasks. A tree with problems is left to the task that reads
    it, which says what they are."""
    with contextlib.suppress(Exception):
        catalogue_for(os.environ.get(PROFILES_DIR_ENV))


_prepared: list[bool] = []


def prepare_playbook_process() -> None:
    """In ansible-playbook's main process, once, before it forks the kit tasks: the default catalogue
    loaded."""
    if not _prepared:
        _prepared.append(True)
        _preload()


_engines: dict[str | None, Engine] = {}


def registry_for(db_url: str | None, profiles_dir: str | None, actor: str) -> KitRegistry:
    # One engine a registry in this process: the command that serves a run's tasks opens it once.
    if db_url not in _engines:
        _engines[db_url] = open_engine(db_url)
    return KitRegistry(_engines[db_url], catalogue_for(profiles_dir), actor)


def serve_from(catalogue: ProfileCatalogue, profiles_dir: Path | None, channel: Mapping[str, Any], handed: Any) -> None:
    """Ready this process (a `vardmote kit …` command) to do its run's tasks: the catalogue it has
    loaded, and the values its channel `channel` hands over, known without asking the channel."""
    _catalogues[(profiles_dir or default_profiles_dir()).resolve()] = catalogue
    _received[str(channel["path"])] = dict(handed)


def do_task(task: str, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """A kit task's work, for the command's channel to serve."""
    return HANDLERS[task](params, check_mode)


def context_for(
    bundle_dir: str | None,
    profiles_dir: str | None,
    vault_values: Mapping[str, str],
    env_values: Mapping[str, str] | None = None,
) -> KitContext:
    folder = Path(bundle_dir) if bundle_dir else default_bundle_dir()
    return KitContext(catalogue_for(profiles_dir), folder, vault_values, env_values=env_values or {})


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


CHUNK = 100  # kits to a transaction: a run holding SQLite's write lock for 100 kits keeps others waiting ~0.2 s


def _ids(kit: Mapping[str, Any]) -> DeviceIds:
    return DeviceIds(str(kit["serial"]), kit.get("imei") or None, kit.get("iccid") or None)


def run_registry_action(
    registry: KitRegistry, params: Mapping[str, Any], check_mode: bool
) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """Apply `params["action"]` to each kit; return the kits as records, whether anything changed, and
    one line per kit that failed (the others are done)."""
    action = params["action"]
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    changed = False
    kits = list(params["kits"])
    # An enrollment's kits are registered, and marked enrolled, a chunk to a transaction (KitRegistry.batch).
    chunk = CHUNK if action in ("register", "complete") and not check_mode else 1
    for first in range(0, len(kits), chunk):
        with registry.batch() if chunk > 1 else contextlib.nullcontext():
            for kit in kits[first : first + chunk]:
                try:
                    done, did_change = _act(registry, params, kit, check_mode)
                except RegistryError as err:
                    failures.append(f"{kit.get('asset_tag') or kit.get('serial')}: {err}")
                    continue
                results += done
                changed |= did_change
    return results, changed, failures


def _act(
    registry: KitRegistry, params: Mapping[str, Any], kit: Mapping[str, Any], check_mode: bool
) -> tuple[list[dict[str, Any]], bool]:
    """`params["action"]` on one kit: its results, and whether it changed anything."""
    action, owner = params["action"], params["owner"]
    reason, ticket = params.get("reason") or action, params.get("ticket")
    if action == "wipes_pending":  # the devices of these kits still to be wiped (a read)
        return registry.wipes_pending([kit["asset_tag"]]), False
    if check_mode:
        return [{**kit, "work_left": True}], True
    if action == "register":
        record, work_left = registry.register(
            _ids(kit),
            model=kit["model"],
            municipality_code=kit["municipality_code"],
            owner=owner,
            reason=reason,
            ticket=ticket,
        )
        return [{**record.model_dump(), "work_left": work_left}], work_left
    if action == "wiped":  # what the MDM step did with each pending wipe
        wiped = registry.record_wipe(int(kit["device_id"]), kit["state"], kit["note"], kit.get("mdm_device"))
        return [dict(kit)], wiped
    if action == "complete":  # the one action a batch runs per kit: no look-up of the kit before
        record, completed = registry.complete_enrollment(kit["asset_tag"], kit["mdm_ref"], owner)
        return [record.model_dump()], completed
    before = registry.show(kit["asset_tag"])
    record = _apply(registry, action, kit, owner=owner, reason=reason, ticket=ticket)
    return [{**record.model_dump(), "previous": before.model_dump()}], record != before


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


def load_schemas(catalogue: ProfileCatalogue, models: Iterable[str]) -> None:
    """Read the schemas the renderers check the kits of these device models against (the AMAPI discovery
    document for Android, Apple's payload schemas for iPads), once in this process: before a batch's
    workers fork, so that they share them, and by the command while ansible-playbook starts."""
    platforms = {catalogue.models[m].model.platform for m in models if m in catalogue.models}
    if "android" in platforms:
        discovery_document()
    if platforms - {"android"}:
        apple_schema.load_all()


def render_kits(context: KitContext, kits: list[Mapping[str, Any]], check_mode: bool) -> dict[str, list[str]]:
    if worker_count(len(kits)) > 1:
        load_schemas(context.catalogue, {str(kit.get("model")) for kit in kits})

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


HANDLERS = {"registry": registry_task, "artifacts": artifacts_task, "mdm": mdm_task}
