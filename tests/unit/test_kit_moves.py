"""A move reaches the tablet: the registry marks the kit "policy pending" until the Android Management API
took the new policy (policies.patch, then devices.patch of the device's policyName, through
google-api-python-client's HTTP mocks) or the technician confirmed the work order; the old tag, and every
number on the kit in any case and spacing, still finds it."""

from __future__ import annotations

import dataclasses
import json
import plistlib
from pathlib import Path

import pytest
from googleapiclient.http import HttpMockSequence
from sqlalchemy import Engine

from vardmote.kits.leases import run_owner
from vardmote.kits.moves import edited_municipality, push_pending
from vardmote.kits.registry.queries import find_kit, policies_pending
from vardmote.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from vardmote.kits.steps import AMAPI_ENTERPRISE_ENV, KitContext, render_artifacts
from vardmote.region.catalogue import ProfileCatalogue, load_catalogue

CATALOGUE = load_catalogue()
TAB, IPAD = "samsung-galaxy-tab-s10-plus-5g", "apple-ipad-air-13-m2-cellular"
ANGE, TIMRA = "2260", "2262"
ENTERPRISE = "enterprises/LC00abc123"
TOKEN = f"{ENTERPRISE}/enrollmentTokens/tok1"
IMEI, ICCID = "352099001760061", "8946010000000000061"


@pytest.fixture(autouse=True)
def apn_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_RVN", "example-not-secret")
    monkeypatch.setenv("VARDMOTE_APN_PASSWORD_SUNDSVALL", "example-not-secret-either")


def amapi_catalogue() -> ProfileCatalogue:
    municipalities = dict(CATALOGUE.municipalities)
    ange = municipalities["ange"]
    municipalities["ange"] = ange.__class__(ange.model.model_copy(update={"mdm_driver": "amapi"}), ange.document)
    return dataclasses.replace(CATALOGUE, municipalities=municipalities)


def enrolled(registry: KitRegistry, mdm_ref: str, model: str = TAB) -> str:
    owner = run_owner()
    ids = DeviceIds("R52W700006", IMEI, ICCID)
    kit, _ = registry.register(ids, model=model, municipality_code=ANGE, owner=owner)
    registry.complete_enrollment(kit.asset_tag, mdm_ref, owner)
    return kit.asset_tag


def test_an_amapi_kits_move_patches_the_new_policy_and_points_the_device_at_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AMAPI_ENTERPRISE_ENV, ENTERPRISE)
    catalogue = amapi_catalogue()
    registry = KitRegistry(engine, catalogue, actor="tekniker@example")
    old_tag = enrolled(registry, TOKEN)
    moved = registry.retag(old_tag, TIMRA, "moved to Timrå", None)
    assert policies_pending(engine, [moved.asset_tag]) == {moved.asset_tag: "not yet sent to the MDM or ordered"}
    device = {"name": f"{ENTERPRISE}/devices/dev1", "enrollmentTokenName": TOKEN}
    http = HttpMockSequence(
        [
            ({"status": "200"}, json.dumps({"name": f"{ENTERPRISE}/policies/kiosk-2262-video-webclient"})),
            ({"status": "200"}, json.dumps({"devices": [device]})),
            ({"status": "200"}, json.dumps(device)),
        ]
    )
    (pushed,) = push_pending(registry, KitContext(catalogue, tmp_path, amapi_http=http), [moved.asset_tag])
    assert pushed.error is None
    assert pushed.outcome is not None
    assert pushed.outcome.state == "sent"
    policy, listing, patch = http.request_sequence
    assert (policy[1], policy[0].split("?")[0]) == (
        "PATCH",
        f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/policies/kiosk-2262-video-webclient",
    )
    # Timrå's APN and support line, not Ånge's.
    sent = json.loads(policy[2])
    assert sent["deviceConnectivityManagement"]["apnPolicy"]["apnSettings"][0]["apn"] == "online.telia.se"
    assert "Timrå" in sent["shortSupportMessage"]["defaultMessage"]
    assert listing[1] == "GET"
    assert (patch[1], patch[0].split("?")[0]) == (
        "PATCH",
        f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/devices/dev1",
    )
    assert "updateMask=policyName" in patch[0]
    assert json.loads(patch[2]) == {"policyName": f"{ENTERPRISE}/policies/kiosk-2262-video-webclient"}
    assert policies_pending(engine, [moved.asset_tag]) == {}
    record = find_kit(engine, old_tag)
    assert record is not None
    assert (record.asset_tag, record.mdm_device) == (moved.asset_tag, f"{ENTERPRISE}/devices/dev1")
    assert registry.history(moved.asset_tag)[1][-1].action == "policy-sent"
    assert push_pending(registry, KitContext(catalogue, tmp_path, amapi_http=http), [moved.asset_tag]) == []


def test_an_api_failure_leaves_the_kit_policy_pending_and_a_second_push_finishes(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AMAPI_ENTERPRISE_ENV, ENTERPRISE)
    catalogue = amapi_catalogue()
    registry = KitRegistry(engine, catalogue, actor="tekniker@example")
    tag = registry.retag(enrolled(registry, TOKEN), TIMRA, "moved", None).asset_tag
    unavailable = ({"status": "503"}, json.dumps({"error": {"code": 503, "message": "Backend unavailable"}}))
    monkeypatch.setattr("googleapiclient.http.time.sleep", lambda _: None)
    context = KitContext(catalogue, tmp_path, amapi_http=HttpMockSequence([unavailable] * 4))  # 1 + 3 retries
    (failed,) = push_pending(registry, context, [tag])
    assert failed.error == "Android Management API: policies.patch: HTTP 503: Backend unavailable"
    assert list(policies_pending(engine, [tag])) == [tag]
    device = {"name": f"{ENTERPRISE}/devices/dev1", "enrollmentTokenName": TOKEN}
    http = HttpMockSequence(
        [({"status": "200"}, "{}"), ({"status": "200"}, json.dumps({"devices": [device]})), ({"status": "200"}, "{}")]
    )
    (done,) = push_pending(registry, KitContext(catalogue, tmp_path, amapi_http=http), [tag])
    assert done.outcome is not None
    assert done.outcome.state == "sent"
    assert policies_pending(engine, [tag]) == {}


def test_a_moved_ipad_gets_a_profile_that_replaces_its_old_one_and_a_work_order(engine: Engine, tmp_path: Path) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    context = KitContext(CATALOGUE, tmp_path)
    old_tag = enrolled(registry, "bundle:x", model=IPAD)
    old_record = registry.show(old_tag)
    render_artifacts(context, old_record)
    old_profile = plistlib.loads((tmp_path / old_tag / "vardmote.mobileconfig").read_bytes())
    moved = registry.retag(old_tag, TIMRA, "moved", None)
    (pushed,) = push_pending(registry, context, [moved.asset_tag])
    assert pushed.outcome is not None
    assert pushed.outcome.state == "ordered"
    order = (tmp_path / moved.asset_tag / "POLICY-R52W700006.txt").read_text(encoding="utf-8")
    assert f"kit {moved.asset_tag} (was {old_tag})" in order
    assert "vardmote.mobileconfig" in order
    assert f"vardmote kit policy-done {moved.asset_tag}" in order
    new_profile = plistlib.loads((tmp_path / moved.asset_tag / "vardmote.mobileconfig").read_bytes())
    assert new_profile["PayloadIdentifier"] == old_profile["PayloadIdentifier"]  # installs over the old one
    assert new_profile["PayloadDisplayName"] == f"Vårdmöte {moved.asset_tag}"
    assert list(policies_pending(engine, [moved.asset_tag])) == [moved.asset_tag]
    assert registry.confirm_policy(old_tag, "INC-9") is True  # by its old tag, too
    assert registry.confirm_policy(moved.asset_tag, "INC-9") is False
    assert policies_pending(engine, [moved.asset_tag]) == {}


def test_a_moved_kits_old_bundle_goes_and_its_open_wipe_order_moves_to_the_new_one(
    engine: Engine, tmp_path: Path
) -> None:
    """The old tag's folder holds the old municipality's APN password and label: it must not stay to be
    printed or imported; a wipe order not yet done there must not be lost."""
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    bundles = tmp_path / "bundles"
    context = KitContext(CATALOGUE, bundles)
    old_tag = enrolled(registry, "bundle:x")
    render_artifacts(context, registry.show(old_tag))
    wipe_order = bundles / old_tag / "WIPE-R52W700001.txt"
    wipe_order.write_text(f"WIPE WORK ORDER — kit {old_tag}\n", encoding="utf-8")
    moved = registry.retag(old_tag, TIMRA, "moved", None)
    (pushed,) = push_pending(registry, context, [moved.asset_tag])
    assert pushed.error is None
    assert not (bundles / old_tag).exists()
    new_folder = bundles / moved.asset_tag
    assert (new_folder / "WIPE-R52W700001.txt").read_text(encoding="utf-8") == f"WIPE WORK ORDER — kit {old_tag}\n"
    assert {"label.pdf", "amapi-policy.json", "POLICY-R52W700006.txt"} <= {p.name for p in new_folder.iterdir()}
    assert sorted(p.name for p in bundles.iterdir()) == [moved.asset_tag]


def test_a_kit_whose_policy_was_never_pushed_cannot_be_confirmed(engine: Engine) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    tag = registry.retag(enrolled(registry, "bundle:x"), TIMRA, "moved", None).asset_tag
    with pytest.raises(RegistryError, match="has not been pushed or ordered yet"):
        registry.confirm_policy(tag, None)


@pytest.mark.parametrize(
    "typed",
    [
        "RVN-2262-00001",
        "rvn-2262-00001",
        "RVN-2260-00001",
        " rvn-2260-00001 ",
        "r52w700006",
        IMEI,
        ICCID,
        "8946 0100 0000 0000 061",
    ],
)
def test_kit_show_finds_a_kit_by_any_number_on_it(engine: Engine, typed: str) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    registry.retag(enrolled(registry, "bundle:x"), TIMRA, "moved", None)
    record = find_kit(engine, typed)
    assert record is not None
    assert record.asset_tag == "RVN-2262-00001"


def test_changes_take_the_old_tag_or_the_serial_in_any_case(engine: Engine) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    registry.retag(enrolled(registry, "bundle:x"), TIMRA, "moved", None)
    for typed in ("rvn-2260-00001", " r52w700006 ", "RVN-2262-00001"):
        assert registry.show(typed).asset_tag == "RVN-2262-00001"


def test_a_municipality_file_keeps_its_comments_when_its_alternative_changes() -> None:
    text = (
        "# Timrå kommun äger sin utrustning (Alt 2).\n---\nname: Timrå\nalternative: 2  # rutin 5.2.2\n"
        "broadband_profile: kommun-public-apn\n"
    )
    assert edited_municipality(text, {"alternative": "1", "broadband_profile": "rvn-private-apn"}) == (
        "# Timrå kommun äger sin utrustning (Alt 2).\n---\nname: Timrå\nalternative: 1  # rutin 5.2.2\n"
        "broadband_profile: rvn-private-apn\n"
    )
    with pytest.raises(ValueError, match="cannot find one top-level 'alternative:' line"):
        edited_municipality("name: x\n", {"alternative": "1"})


@pytest.mark.parametrize("typed", ["R52W700006", IMEI, ICCID], ids=["serial", "imei", "iccid"])
def test_a_replaced_tablet_still_names_its_kit_by_any_number_on_it(engine: Engine, typed: str) -> None:
    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@example")
    tag = enrolled(registry, "bundle:x")
    new = DeviceIds("R52W700014", "352099001760079", "8946010000000000079")
    registry.replace(tag, new, old_status="in_repair", reason="cracked screen", ticket=None, owner=run_owner())
    record = find_kit(engine, typed)
    assert record is not None
    assert record.asset_tag == tag
    assert record.serial == "R52W700014"  # the kit as it is now, carrying its new tablet
