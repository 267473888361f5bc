"""The Android Management API driver through google-api-python-client's own HTTP mocking, against the
real discovery document: requests go to the documented methods; 4xx, 5xx and timeouts become one line."""

from __future__ import annotations

import dataclasses
import json

import pytest
from googleapiclient.http import HttpMockSequence

from vardmote.kits.mdm.amapi import AmapiDriver
from vardmote.kits.mdm.base import DeviceTarget, MdmError

ENTERPRISE = "enterprises/LC00abc123"
POLICY = {"screenCaptureDisabled": True}


def driver(responses: list[tuple[dict[str, str], str]], retries: int = 0) -> tuple[AmapiDriver, HttpMockSequence]:
    http = HttpMockSequence(responses)
    return AmapiDriver(ENTERPRISE, http=http, retries=retries), http


def error(status: int, message: str) -> tuple[dict[str, str], str]:
    return {"status": str(status)}, json.dumps({"error": {"code": status, "message": message}})


def test_apply_policy_patches_the_named_policy() -> None:
    amapi, http = driver([({"status": "200"}, json.dumps({"name": f"{ENTERPRISE}/policies/kiosk-2260"}))])
    assert amapi.apply_policy("kiosk-2260", POLICY) == f"{ENTERPRISE}/policies/kiosk-2260"
    ((uri, method, body, _),) = http.request_sequence
    assert method == "PATCH"
    assert uri.startswith(f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/policies/kiosk-2260")
    assert json.loads(body) == POLICY


def test_create_enrollment_returns_the_token_and_its_name() -> None:
    created = {"name": f"{ENTERPRISE}/enrollmentTokens/tok1", "value": "ABCDEFGHIJ"}
    amapi, http = driver([({"status": "200"}, json.dumps(created))])
    enrollment = amapi.create_enrollment(f"{ENTERPRISE}/policies/p", {"duration": "604800s"}, "RVN-2260-00001")
    assert (enrollment.mdm_ref, enrollment.enrollment_token) == (created["name"], "ABCDEFGHIJ")
    ((uri, method, body, _),) = http.request_sequence
    assert (method, uri.split("?")[0]) == (
        "POST",
        f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/enrollmentTokens",
    )
    assert json.loads(body)["policyName"] == f"{ENTERPRISE}/policies/p"


TOKEN = f"{ENTERPRISE}/enrollmentTokens/tok1"
OLD_TABLET = DeviceTarget(
    asset_tag="RVN-2260-00001",
    serial="R52W700006",
    model="Samsung Galaxy Tab S10+ 5G",
    platform="android",
    mdm_ref=TOKEN,
    mdm_device=None,
    reason="replaced: cracked screen",
)


def device(name: str, serial: str, token: str | None = None, tag: str | None = None) -> dict[str, object]:
    """A Device resource as devices.list returns it (fields from the discovery document)."""
    found: dict[str, object] = {"name": f"{ENTERPRISE}/devices/{name}", "hardwareInfo": {"serialNumber": serial}}
    if token:
        found["enrollmentTokenName"] = token
    if tag:
        found["enrollmentTokenData"] = json.dumps({"asset_tag": tag, "serial": serial})
    return found


def listing(*devices: dict[str, object], next_page: str | None = None) -> tuple[dict[str, str], str]:
    body: dict[str, object] = {"devices": list(devices)}
    if next_page:
        body["nextPageToken"] = next_page
    return {"status": "200"}, json.dumps(body)


def test_the_device_is_found_by_its_enrollment_token_across_pages_then_deleted_keeping_reset_protection() -> None:
    amapi, http = driver(
        [
            listing(device("other", "R52W000001", token=f"{ENTERPRISE}/enrollmentTokens/x"), next_page="p2"),
            listing(device("dev1", "R52W700006", token=TOKEN)),
            ({"status": "200"}, "{}"),
        ]
    )
    result = amapi.wipe(OLD_TABLET)
    assert (result.state, result.mdm_device) == ("sent", f"{ENTERPRISE}/devices/dev1")
    first, second, delete = http.request_sequence
    assert (first[1], first[0].split("?")[0]) == (
        "GET",
        f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/devices",
    )
    assert "pageSize=100" in first[0]
    assert "pageToken=p2" in second[0]
    assert delete[1] == "DELETE"
    assert delete[0].startswith(f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/devices/dev1?")
    assert "wipeDataFlags=PRESERVE_RESET_PROTECTION_DATA" in delete[0]


def test_without_its_token_the_device_is_found_by_the_kits_data_and_its_serial_not_the_new_tablets() -> None:
    """A replaced kit's new tablet enrolled with a token carrying the same tag: only the serial tells them apart."""
    target = dataclasses.replace(OLD_TABLET, mdm_ref=None, asset_tag="RVN-2262-00001", old_tags=("RVN-2260-00001",))
    amapi, http = driver(
        [
            listing(
                device("new", "R52W799999", tag="RVN-2260-00001"), device("old", "R52W700006", tag="RVN-2260-00001")
            ),
            ({"status": "200"}, "{}"),
        ]
    )
    assert amapi.wipe(target).mdm_device == f"{ENTERPRISE}/devices/old"
    assert "/devices/old?" in http.request_sequence[-1][0]


def test_a_known_device_name_is_deleted_without_listing() -> None:
    amapi, http = driver([({"status": "200"}, "{}")])
    amapi.wipe(dataclasses.replace(OLD_TABLET, mdm_device=f"{ENTERPRISE}/devices/dev1"))
    ((uri, method, _, _),) = http.request_sequence
    assert method == "DELETE"
    assert "/devices/dev1?" in uri


def test_a_device_the_enterprise_never_saw_enroll_is_left_to_a_work_order() -> None:
    amapi, http = driver([listing(device("new", "R52W799999", tag="RVN-2260-00001"))])
    result = amapi.wipe(OLD_TABLET)
    assert result.state == "ordered"
    assert "no device enrolled" in result.note
    assert len(http.request_sequence) == 1  # nothing deleted


def test_wiping_a_device_that_is_already_gone_is_fine() -> None:
    amapi, _ = driver([error(404, "Device not found")])
    assert amapi.wipe(dataclasses.replace(OLD_TABLET, mdm_device=f"{ENTERPRISE}/devices/dev1")).state == "sent"


def test_a_refused_wipe_is_one_line_naming_the_call() -> None:
    amapi, _ = driver([error(403, "The caller does not have permission")])
    with pytest.raises(MdmError, match=r"^Android Management API: devices.delete: HTTP 403: The caller"):
        amapi.wipe(dataclasses.replace(OLD_TABLET, mdm_device=f"{ENTERPRISE}/devices/dev1"))


def test_a_moved_devices_policy_is_patched_by_name_only() -> None:
    amapi, http = driver([({"status": "200"}, json.dumps({"name": f"{ENTERPRISE}/devices/dev1"}))])
    amapi.set_device_policy(f"{ENTERPRISE}/devices/dev1", f"{ENTERPRISE}/policies/kiosk-2262")
    ((uri, method, body, _),) = http.request_sequence
    assert method == "PATCH"
    assert uri.startswith(f"https://androidmanagement.googleapis.com/v1/{ENTERPRISE}/devices/dev1?")
    assert "updateMask=policyName" in uri
    assert json.loads(body) == {"policyName": f"{ENTERPRISE}/policies/kiosk-2262"}


def test_a_4xx_is_one_line_naming_the_call() -> None:
    amapi, _ = driver([error(403, "The caller does not have permission")])
    with pytest.raises(MdmError) as raised:
        amapi.apply_policy("kiosk-2260", POLICY)
    assert str(raised.value) == "Android Management API: policies.patch: HTTP 403: The caller does not have permission"


def test_a_5xx_is_retried_then_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("googleapiclient.http.time.sleep", lambda _: None)
    amapi, http = driver([error(503, "Backend unavailable"), ({"status": "200"}, json.dumps({"name": "p"}))], retries=2)
    amapi.apply_policy("kiosk-2260", POLICY)
    assert len(http.request_sequence) == 2


def test_a_5xx_that_persists_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("googleapiclient.http.time.sleep", lambda _: None)
    amapi, _ = driver([error(500, "Internal error")] * 3, retries=2)
    with pytest.raises(MdmError, match="HTTP 500: Internal error"):
        amapi.create_enrollment("p", {}, "RVN-2260-00001")


class TimingOut(HttpMockSequence):  # type: ignore[misc]
    def request(self, *args: object, **kwargs: object) -> object:
        raise TimeoutError("timed out")


def test_a_timeout_fails_clearly() -> None:
    amapi = AmapiDriver(ENTERPRISE, http=TimingOut([]), retries=0)
    with pytest.raises(MdmError) as raised:
        amapi.apply_policy("kiosk-2260", POLICY)
    assert str(raised.value) == "Android Management API: policies.patch: TimeoutError: timed out"
