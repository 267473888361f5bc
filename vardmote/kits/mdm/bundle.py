"""The offline driver: no MDM service is called. The policy and a one-time enrollment token go into the
kit's enrollment bundle for the technician, for a site MDM to import; wiping is done by the technician
on the device (the bundle records the instruction)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from vardmote.kits.mdm.base import Enrollment


class BundleDriver:
    name = "bundle"

    def __init__(self, bundle_dir: Path) -> None:
        self.bundle_dir = bundle_dir

    def apply_policy(self, policy_id: str, policy: dict[str, Any]) -> str:
        return f"bundle/policies/{policy_id}"

    def create_enrollment(self, policy_name: str, token_request: dict[str, Any], asset_tag: str) -> Enrollment:
        token_file = self.bundle_dir / asset_tag / "enrollment-token.txt"
        # A re-run keeps the token the QR code already carries.
        token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else secrets.token_urlsafe(24)
        fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]
        return Enrollment(mdm_ref=f"bundle:{asset_tag}:{fingerprint}", enrollment_token=token)

    def wipe(self, mdm_ref: str, reason: str) -> None:
        """Nothing to call: the technician factory-resets the device (see the runbook)."""
