"""A device that leaves its kit (replaced, retired) is wiped for real: the registry keeps it "wipe pending"
until the MDM took the wipe (AMAPI devices.delete, through google-api-python-client's HTTP mocks) or the
technician confirmed the bundle's work order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from googleapiclient.http import HttpMockSequence
from sqlalchemy import Engine

from vardmote.kits.leases import run_owner
from vardmote.kits.module_support import mdm_kits
from vardmote.kits.registry.queries import find_kit, pending_wipes
from vardmote.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from vardmote.kits.steps import AMAPI_ENTERPRISE_ENV, KitContext
from vardmote.region.catalogue import ProfileCatalogue, load_catalogue

CATALOGUE = load_catalogue()
TAB, IPAD = "samsung-galaxy-tab-s10-plus-5g", "apple-ipad-air-13-m2-cellular"
ANGE = "2260"
ENTERPRISE = "enterprises/LC00abc123"
TOKEN = f"{ENTERPRISE}/enrollmentTokens/tok1"


def amapi_catalogue() -> ProfileCatalogue:
    municipalities = dict(CATALOGUE.municipalities)
    ange = municipalities["ange"]
    municipalities["ange"] = ange.__class__(ange.model.model_copy(update={"mdm_driver": "amapi"}), ange.document)
    return dataclasses.replace(CATALOGUE, municipalities=municipalities)


def replaced_kit(registry: KitRegistry, mdm_ref: str, model: str = TAB) -> str:
    owner = run_owner()
    kit, _ = registry.register(DeviceIds("R52W700006"), model=model, municipality_code=ANGE, owner=owner)
    registry.complete_enrollment(kit.asset_tag, mdm_ref, owner)
    registry.replace(
        kit.asset_tag, DeviceIds("R52W799999"), old_status="rma", reason="cracked screen", ticket=None, owner=owner
    )
    return kit.asset_tag


def wipe_through_the_playbook_steps(registry: KitRegistry, context: KitContext, tag: str) -> list[dict[str, object]]:
    """What tasks/wipe_devices.yml does: the pending wipes, the MDM step, the record of it."""
    pending = registry.wipes_pending([tag])
    done, failures = mdm_kits(context, "wipe", pending, "", check_mode=False)
    assert failures == []
    for result in done:
        registry.record_wipe(int(result["device_id"]), result["state"], result["note"], result.get("mdm_device"))
    return done


def test_an_amapi_kits_old_tablet_is_found_by_its_token_deleted_and_no_longer_pending(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AMAPI_ENTERPRISE_ENV, ENTERPRISE)
    catalogue = amapi_catalogue()
    registry = KitRegistry(engine, catalogue, actor="tekniker@example")
    tag = replaced_kit(registry, TOKEN)
    assert pending_wipes(engine, [tag]) == {tag: [("R52W700006", "not yet sent to the MDM or ordered")]}
    device = {
        "name": f"{ENTERPRISE}/devices/dev1",
        "enrollmentTokenName": TOKEN,
        "hardwareInfo": {"serialNumber": "R52W700006"},
    }
    http = HttpMockSequence([({"status": "200"}, json.dumps({"devices": [device]})), ({"status": "200"}, "{}")])
    (done,) = wipe_through_the_playbook_steps(registry, KitContext(catalogue, tmp_path, amapi_http=http), tag)
    assert (done["state"], done["mdm_device"]) == ("sent", f"{ENTERPRISE}/devices/dev1")
    assert http.request_sequence[-1][1] == "DELETE"
    assert pending_wipes(engine, [tag]) == {}
    assert not (tmp_path / tag / "WIPE-R52W700006.txt").exists()
    _, entries, devices = registry.history(tag)
    assert [e.action for e in entries][-1] == "wipe-sent"
    assert (devices[0].wipe_state, devices[0].mdm_device) == ("sent", f"{ENTERPRISE}/devices/dev1")
    # Run again: nothing is pending, nothing is called.
    assert wipe_through_the_playbook_steps(registry, KitContext(catalogue, tmp_path, amapi_http=http), tag) == []


def test_an_amapi_failure_leaves_the_wipe_pending_for_a_re_run(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AMAPI_ENTERPRISE_ENV, ENTERPRISE)
    catalogue = amapi_catalogue()
    registry = KitRegistry(engine, catalogue, actor="tekniker@example")
    tag = replaced_kit(registry, TOKEN)
    message = "The caller does not have permission"
    refused = ({"status": "403"}, json.dumps({"error": {"code": 403, "message": message}}))
    context = KitContext(catalogue, tmp_path, amapi_http=HttpMockSequence([refused]))
    done, failures = mdm_kits(context, "wipe", registry.wipes_pending([tag]), "", check_mode=False)
    assert done == []
    assert failures == [f"{tag}: Android Management API: devices.list: HTTP 403: The caller does not have permission"]
    assert list(pending_wipes(engine, [tag])) == [tag]


def test_a_tablet_the_enterprise_never_saw_enroll_gets_a_work_order_instead(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AMAPI_ENTERPRISE_ENV, ENTERPRISE)
    catalogue = amapi_catalogue()
    registry = KitRegistry(engine, catalogue, actor="tekniker@example")
    tag = replaced_kit(registry, TOKEN)
    http = HttpMockSequence([({"status": "200"}, json.dumps({"devices": []}))])
    (done,) = wipe_through_the_playbook_steps(registry, KitContext(catalogue, tmp_path, amapi_http=http), tag)
    assert done["state"] == "ordered"
    order = (tmp_path / tag / "WIPE-R52W700006.txt").read_text(encoding="utf-8")
    assert "no device enrolled with this kit's token" in order
    assert list(pending_wipes(engine, [tag])) == [tag]


def test_a_bundle_kits_old_ipad_gets_a_work_order_and_stays_pending_until_confirmed(
    engine: Engine, tmp_path: Path
) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    tag = replaced_kit(registry, "bundle:x", model=IPAD)
    (done,) = wipe_through_the_playbook_steps(registry, KitContext(CATALOGUE, tmp_path), tag)
    order_file = tmp_path / tag / "WIPE-R52W700006.txt"
    assert done == {**done, "state": "ordered", "files": ["WIPE-R52W700006.txt"]}
    order = order_file.read_text(encoding="utf-8")
    assert "serial R52W700006" in order
    assert "Erase All Content and Settings" in order  # the iPad's steps, not Android's
    assert f"vardmote kit wipe-done {tag} --serial R52W700006" in order
    assert pending_wipes(engine, [tag]) == {tag: [("R52W700006", f"work order {order_file}")]}
    # A re-run writes the same order and logs nothing more.
    entries = len(registry.history(tag)[1])
    wipe_through_the_playbook_steps(registry, KitContext(CATALOGUE, tmp_path), tag)
    assert len(registry.history(tag)[1]) == entries
    with pytest.raises(RegistryError, match="has no device with serial R52W799999 waiting for a wipe"):
        registry.confirm_wipe(tag, "R52W799999", None)  # the new tablet is not the one to wipe
    assert registry.confirm_wipe(tag, "R52W700006", "INC-7") is True
    assert registry.confirm_wipe(tag, "R52W700006", "INC-7") is False
    assert pending_wipes(engine, [tag]) == {}
    assert registry.history(tag)[1][-1].action == "wipe-confirmed"
    assert registry.verify_audit()[2] == []


def test_retiring_a_kit_orders_its_tablets_wipe(engine: Engine, tmp_path: Path) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    owner = run_owner()
    kit, _ = registry.register(DeviceIds("R52W700006"), model=TAB, municipality_code=ANGE, owner=owner)
    registry.complete_enrollment(kit.asset_tag, "bundle:x", owner)
    registry.retire(kit.asset_tag, "end of contract", None)
    assert list(pending_wipes(engine, [kit.asset_tag])) == [kit.asset_tag]
    record = find_kit(engine, kit.asset_tag)
    assert record is not None
    assert record.status == "retired"
