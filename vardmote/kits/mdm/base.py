"""The interface every MDM driver implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


class MdmError(Exception):
    """The MDM refused or failed an operation; one line saying which and why."""


@dataclass(frozen=True)
class Enrollment:
    """What enrolling a kit gives: the MDM's reference and the token the device enrolls with."""

    mdm_ref: str
    enrollment_token: str


@dataclass(frozen=True)
class WipeTarget:
    """A device that left its kit and must be wiped: which, where it was enrolled, how to find it."""

    asset_tag: str
    serial: str
    model: str  # "Samsung Galaxy Tab S10+ 5G", for the work order
    platform: Literal["android", "ipados"]
    mdm_ref: str | None  # what it enrolled with (AMAPI: the enrollment token's name)
    mdm_device: str | None  # its own name in the MDM, if known
    old_tags: tuple[str, ...] = ()  # the kit's earlier asset tags (a token's additionalData names one)
    reason: str = ""


@dataclass(frozen=True)
class WipeResult:
    """`sent`: the MDM accepted the wipe, nothing is left to do. `ordered`: a technician must wipe the
    device by hand as `note` says, and confirm it (`vardmote kit wipe-done`)."""

    state: Literal["sent", "ordered"]
    note: str
    mdm_device: str | None = None
    files: list[str] = field(default_factory=list)


class MdmDriver(Protocol):
    name: str

    def apply_policy(self, policy_id: str, policy: dict[str, Any]) -> str:
        """Create or update the kit's policy; return its name in the MDM. Idempotent."""
        ...

    def create_enrollment(self, policy_name: str, token_request: dict[str, Any], asset_tag: str) -> Enrollment:
        """A one-time enrollment token for the kit's device."""
        ...

    def wipe(self, target: WipeTarget) -> WipeResult:
        """Wipe the device and remove it from management (keeping factory reset protection), or order its
        wipe from a technician. Idempotent."""
        ...
