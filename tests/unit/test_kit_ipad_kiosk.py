"""The iPad kiosk opens the video client: checked against what Apple's schema text says about App Lock,
web clips and Safari together on a supervised iPad, and roaming is held where a profile can hold it."""

from __future__ import annotations

import copy
import plistlib
from pathlib import Path
from typing import Any

import pytest

from vardmote.kits.artifacts import ipad
from vardmote.kits.artifacts.apple_schema import combination_problems, profile_problems, safari_off_stops_web_clips
from vardmote.kits.record import KitRecord
from vardmote.kits.steps import APP_LOCK_FILE, ArtifactError, KitContext, render_artifacts
from vardmote.region.catalogue import load_catalogue

CATALOGUE = load_catalogue()
IPAD = "apple-ipad-air-13-m2-cellular"
KIT = KitRecord(
    asset_tag="RVN-2262-00001",
    serial="DMPX0007Q1GH",
    municipality_code="2262",
    alternative=2,
    model=IPAD,
    status="registered",
    support_party="municipality",
    contents=["tablet"],
)
KIOSK = CATALOGUE.kiosk_profiles["video-webclient"].model
BROADBAND = CATALOGUE.broadband_profiles["kommun-public-apn"].model


def on_one_ipad() -> dict[str, Any]:
    profile, lock = ipad.mobileconfig(KIT, KIOSK, BROADBAND, None), ipad.app_lock(KIT, KIOSK)
    return {**profile, "PayloadContent": [*profile["PayloadContent"], *lock["PayloadContent"]]}


def payload(profile: dict[str, Any], kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in profile["PayloadContent"] if p["PayloadType"] == kind]
    assert len(found) == 1
    return found[0]


def test_the_kiosk_locks_a_supervised_ipad_into_safari_which_opens_the_video_clients_web_clip() -> None:
    together = on_one_ipad()
    assert profile_problems(ipad.app_lock(KIT, KIOSK)) == []
    assert combination_problems(together, supervised=True, min_os="17.5") == []
    assert payload(together, "com.apple.app.lock")["App"]["Identifier"] == "com.apple.mobilesafari"
    clip = payload(together, "com.apple.webClip.managed")
    assert (clip["URL"], clip["FullScreen"], clip["IsRemovable"]) == (KIOSK.start_url, True, False)
    assert payload(together, "com.apple.applicationaccess")["allowSafari"] is True


def test_apples_text_says_safari_off_stops_web_clips_so_that_profile_is_refused() -> None:
    assert safari_off_stops_web_clips()
    together = on_one_ipad()
    payload(together, "com.apple.applicationaccess")["allowSafari"] = False
    assert combination_problems(together, supervised=True, min_os="17.5") == [
        "com.apple.applicationaccess.allowSafari: false also prevents opening web clips (Apple's schema text): "
        "the video client's web clip would not open",
        "com.apple.app.lock: locks the iPad into Safari, which allowSafari: false disables",
    ]


def test_app_lock_and_supervised_restrictions_are_refused_for_an_unsupervised_ipad() -> None:
    problems = combination_problems(on_one_ipad(), supervised=False, min_os="17.5")
    assert (
        "PayloadContent[4](com.apple.app.lock): Apple's schema says App Lock (Supervised Only): "
        "the iPad must be supervised" in problems
    )
    assert (
        "PayloadContent[1](com.apple.applicationaccess).allowCellularPlanModification: works only on a supervised iPad"
        in problems
    )


def test_keys_newer_than_the_models_oldest_ios_and_a_second_app_lock_are_refused() -> None:
    together = on_one_ipad()
    together["PayloadContent"].append(copy.deepcopy(payload(together, "com.apple.app.lock")))
    problems = combination_problems(together, supervised=True, min_os="13.0")
    assert (
        "PayloadContent[0](com.apple.webClip.managed).IgnoreManifestScope: needs iOS 14.0, the model's oldest is 13.0"
        in problems
    )
    assert (
        "PayloadContent[4](com.apple.app.lock): Apple's schema allows one com.apple.app.lock payload per device"
        in problems
    )


@pytest.mark.parametrize("roaming", [False, True])
def test_roaming_is_held_where_a_profile_can_hold_it(roaming: bool) -> None:
    broadband = BROADBAND.model_copy(update={"data_roaming": roaming})
    restrictions = payload(ipad.mobileconfig(KIT, KIOSK, broadband, None), "com.apple.applicationaccess")
    assert restrictions["allowGlobalBackgroundFetchWhenRoaming"] is roaming
    assert restrictions["allowCellularPlanModification"] is False
    assert restrictions["allowESIMModification"] is False
    assert restrictions["allowAppCellularDataModification"] is False


def test_an_ipad_kits_bundle_holds_both_profiles_and_a_broken_combination_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_artifacts(KitContext(CATALOGUE, tmp_path), KIT)
    lock = plistlib.loads((tmp_path / KIT.asset_tag / APP_LOCK_FILE).read_bytes())
    assert lock["PayloadContent"][0]["App"]["Identifier"] == "com.apple.mobilesafari"
    assert lock["PayloadIdentifier"] == f"se.rvn.vardmote.{KIT.serial}.applock"
    original = ipad.mobileconfig

    def safari_off(*args: Any) -> dict[str, Any]:
        profile = original(*args)
        payload(profile, "com.apple.applicationaccess")["allowSafari"] = False
        return profile

    monkeypatch.setattr(ipad, "mobileconfig", safari_off)
    other = KIT.model_copy(update={"asset_tag": "RVN-2262-00002"})
    with pytest.raises(ArtifactError, match="allowSafari: false also prevents opening web clips"):
        render_artifacts(KitContext(CATALOGUE, tmp_path), other)
    assert not (tmp_path / other.asset_tag).exists()
