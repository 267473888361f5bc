"""The Android Management API driver, through google-api-python-client and the API's discovery document.

Device metadata (serial, model, the kit's asset tag and municipality in additionalData) is held by
Google; no patient data ever is.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from vardmote.kits.artifacts.amapi_schema import discovery_document
from vardmote.kits.mdm.base import DeviceOutcome, DeviceTarget, Enrollment, MdmError

with warnings.catch_warnings():  # google.api_core warns about Python versions it will stop supporting
    warnings.simplefilter("ignore", FutureWarning)
    from googleapiclient.discovery import build_from_document
    from googleapiclient.errors import HttpError

RETRIES = 3
PAGE_SIZE = 100  # devices.list's maximum
# Keep factory-reset protection: a wiped kit can only be set up again by the region's recovery accounts.
WIPE_FLAGS = ["PRESERVE_RESET_PROTECTION_DATA"]


def _error(action: str, err: Exception) -> MdmError:
    if isinstance(err, HttpError):
        try:
            message = json.loads(err.content)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = err.reason or str(err)
        return MdmError(f"Android Management API: {action}: HTTP {err.resp.status}: {message}")
    return MdmError(f"Android Management API: {action}: {type(err).__name__}: {err}")


class AmapiDriver:
    name = "amapi"

    def __init__(self, enterprise: str, http: Any = None, credentials: Any = None, retries: int = RETRIES) -> None:
        self.enterprise = enterprise
        self.retries = retries
        self.service = build_from_document(discovery_document(), http=http, credentials=credentials)
        self._devices: list[dict[str, Any]] | None = None

    def _run(self, action: str, request: Any) -> Any:
        try:
            return request.execute(num_retries=self.retries)
        except (HttpError, OSError, TimeoutError) as err:
            raise _error(action, err) from err

    def apply_policy(self, policy_id: str, policy: dict[str, Any]) -> str:
        name = f"{self.enterprise}/policies/{policy_id}"
        self._run("policies.patch", self.service.enterprises().policies().patch(name=name, body=policy))
        return name

    def create_enrollment(self, policy_name: str, token_request: dict[str, Any], asset_tag: str) -> Enrollment:
        body = {**token_request, "policyName": policy_name}
        created = self._run(
            "enrollmentTokens.create",
            self.service.enterprises().enrollmentTokens().create(parent=self.enterprise, body=body),
        )
        return Enrollment(mdm_ref=str(created["name"]), enrollment_token=str(created["value"]))

    def devices(self) -> list[dict[str, Any]]:
        """Every device of the enterprise (devices.list, page by page), read once per driver."""
        if self._devices is None:
            found: list[dict[str, Any]] = []
            page: str | None = None
            while True:
                request = (
                    self.service.enterprises()
                    .devices()
                    .list(parent=self.enterprise, pageSize=PAGE_SIZE, **({"pageToken": page} if page else {}))
                )
                response = self._run("devices.list", request)
                found += response.get("devices", [])
                page = response.get("nextPageToken")
                if not page:
                    break
            self._devices = found
        return self._devices

    def find_device(self, target: DeviceTarget) -> str | None:
        """The device's name in the enterprise: the one enrolled with the kit's enrollment token, else the
        one whose token data names the kit (its tag now or before a move) and whose serial is the device's.
        A replaced kit's new tablet carries the same tag in its token data, so the tag alone is not enough."""
        if target.mdm_device:
            return target.mdm_device
        tags = {target.asset_tag, *target.old_tags}
        by_data = None
        for device in self.devices():
            if device.get("state") == "DELETED":
                continue
            if target.mdm_ref and device.get("enrollmentTokenName") == target.mdm_ref:
                return str(device["name"])
            tag, data_serial = _token_data(device)
            serials = {data_serial, (device.get("hardwareInfo") or {}).get("serialNumber")}
            if by_data is None and tag in tags and target.serial in serials:
                by_data = str(device["name"])
        return by_data

    def wipe(self, target: DeviceTarget) -> DeviceOutcome:
        """Delete the device from the enterprise, which wipes it when it next connects. A device already
        gone is fine; a device the enterprise never saw enroll cannot be wiped from here."""
        device = self.find_device(target)
        if device is None:
            return DeviceOutcome(
                "ordered", "the Android Management API has no device enrolled with this kit's token or data"
            )
        try:
            self.service.enterprises().devices().delete(
                name=device, wipeDataFlags=WIPE_FLAGS, wipeReasonMessage=target.reason[:200]
            ).execute(num_retries=self.retries)
        except HttpError as err:
            if err.resp.status != 404:
                raise _error("devices.delete", err) from err
        except (OSError, TimeoutError) as err:
            raise _error("devices.delete", err) from err
        return DeviceOutcome("sent", f"devices.delete {device} (factory reset protection kept)", mdm_device=device)

    def set_device_policy(self, device: str, policy_name: str) -> None:
        """Point an enrolled device at a policy (after its kit moved to another municipality)."""
        self._run(
            "devices.patch",
            self.service.enterprises()
            .devices()
            .patch(name=device, updateMask="policyName", body={"policyName": policy_name}),
        )

    def lock(self, device: str) -> None:
        """Lock a device remotely (a kit lost or out of the technician's reach)."""
        self._run(
            "devices.issueCommand",
            self.service.enterprises().devices().issueCommand(name=device, body={"type": "LOCK"}),
        )


def _token_data(device: dict[str, Any]) -> tuple[str | None, str | None]:
    """The asset tag and serial in the device's enrollment token data (the token's additionalData)."""
    try:
        data = json.loads(device.get("enrollmentTokenData") or "")
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    return data.get("asset_tag"), data.get("serial")
