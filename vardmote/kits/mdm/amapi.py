"""The Android Management API driver, through google-api-python-client and the API's discovery document.

Device metadata (serial, model, the kit's asset tag and municipality in additionalData) is held by
Google; no patient data ever is.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from vardmote.kits.artifacts.amapi_schema import discovery_document
from vardmote.kits.mdm.base import Enrollment, MdmError

with warnings.catch_warnings():  # google.api_core warns about Python versions it will stop supporting
    warnings.simplefilter("ignore", FutureWarning)
    from googleapiclient.discovery import build_from_document
    from googleapiclient.errors import HttpError

RETRIES = 3
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

    def wipe(self, mdm_ref: str, reason: str) -> None:
        """Delete the device from the enterprise, which wipes it; a device already gone is fine."""
        if "/devices/" not in mdm_ref:
            return  # never enrolled past the token: nothing to wipe
        try:
            self.service.enterprises().devices().delete(
                name=mdm_ref, wipeDataFlags=WIPE_FLAGS, wipeReasonMessage=reason[:200]
            ).execute(num_retries=self.retries)
        except HttpError as err:
            if err.resp.status != 404:
                raise _error("devices.delete", err) from err
        except (OSError, TimeoutError) as err:
            raise _error("devices.delete", err) from err

    def lock(self, device: str) -> None:
        """Lock a device remotely (a kit lost or out of the technician's reach)."""
        self._run(
            "devices.issueCommand",
            self.service.enterprises().devices().issueCommand(name=device, body={"type": "LOCK"}),
        )
