"""The Android Management API driver through google-api-python-client's own HTTP mocking, against the
real discovery document: requests go to the documented methods; 4xx, 5xx and timeouts become one line."""

from __future__ import annotations

import json

import pytest
from googleapiclient.http import HttpMockSequence

from vardmote.kits.mdm.amapi import AmapiDriver
from vardmote.kits.mdm.base import MdmError

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


def test_wipe_deletes_the_device_keeping_reset_protection() -> None:
    amapi, http = driver([({"status": "200"}, "{}")])
    amapi.wipe(f"{ENTERPRISE}/devices/dev1", "replaced: cracked screen")
    ((uri, method, _, _),) = http.request_sequence
    assert method == "DELETE"
    assert "wipeDataFlags=PRESERVE_RESET_PROTECTION_DATA" in uri


def test_wiping_a_device_that_is_already_gone_is_fine() -> None:
    amapi, _ = driver([error(404, "Device not found")])
    amapi.wipe(f"{ENTERPRISE}/devices/dev1", "retired")


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
