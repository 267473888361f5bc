"""The interface every MDM driver implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class MdmError(Exception):
    """The MDM refused or failed an operation; one line saying which and why."""


@dataclass(frozen=True)
class Enrollment:
    """What enrolling a kit gives: the MDM's reference and the token the device enrolls with."""

    mdm_ref: str
    enrollment_token: str


class MdmDriver(Protocol):
    name: str

    def apply_policy(self, policy_id: str, policy: dict[str, Any]) -> str:
        """Create or update the kit's policy; return its name in the MDM. Idempotent."""
        ...

    def create_enrollment(self, policy_name: str, token_request: dict[str, Any], asset_tag: str) -> Enrollment:
        """A one-time enrollment token for the kit's device."""
        ...

    def wipe(self, mdm_ref: str, reason: str) -> None:
        """Wipe the device and remove it from management (keeping factory reset protection). Idempotent."""
        ...
