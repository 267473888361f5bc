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
class DeviceTarget:
    """A kit's device as a driver acts on it (a wipe, a new policy): which, where it was enrolled, how to
    find it in its MDM."""

    asset_tag: str
    serial: str
    model: str  # "Samsung Galaxy Tab S10+ 5G", for the work order
    platform: Literal["android", "ipados"]
    mdm_ref: str | None  # what it enrolled with (AMAPI: the enrollment token's name)
    mdm_device: str | None  # its own name in the MDM, if known
    old_tags: tuple[str, ...] = ()  # the kit's earlier asset tags (a token's additionalData names one)
    reason: str = ""  # why it is wiped, as the MDM shows it


@dataclass(frozen=True)
class DeviceOutcome:
    """What became of a wipe or a new policy for a device. `sent`: the MDM accepted it, nothing is left to
    do. `ordered`: a technician must do it by hand as the work order says, and confirm it."""

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

    def wipe(self, target: DeviceTarget) -> DeviceOutcome:
        """Wipe the device and remove it from management (keeping factory reset protection), or order its
        wipe from a technician. Idempotent."""
        ...
