"""Where each kind of profile lives in device_profiles/ and which schema validates it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vardmote.core.validation import StrictModel
from vardmote.region.location import PROFILES_DIR_ENV, default_profiles_dir
from vardmote.region.schema import (
    BroadbandProfile,
    DeviceModel,
    InvitationTemplate,
    KioskProfile,
    KitSpec,
    Municipality,
    Region,
    ResponsibilitiesFile,
)

SCHEMA_DIR = "schemas"
# Folders that hold other things than profiles (JSON Schemas, example inputs for other commands).
NON_PROFILE_DIRS = frozenset({SCHEMA_DIR, "examples"})


@dataclass(frozen=True)
class ProfileKind:
    """One kind of file: a single file (`region.yaml`) or a folder of named files (`municipalities/`)."""

    name: str
    model: type[StrictModel]
    single_file: str | None = None
    folder: str | None = None

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"

    def schema_ref_from(self, relative_file: Path) -> str:
        """The `$schema` reference a file at `relative_file` (relative to the root) uses to reach its schema."""
        ups = "../" * (len(relative_file.parts) - 1)
        return f"{ups}{SCHEMA_DIR}/{self.schema_file}"


REGION = ProfileKind("region", Region, single_file="region.yaml")
RESPONSIBILITIES = ProfileKind("responsibilities", ResponsibilitiesFile, single_file="responsibilities.yaml")
KIT = ProfileKind("kit", KitSpec, single_file="kit.yaml")
MUNICIPALITY = ProfileKind("municipality", Municipality, folder="municipalities")
DEVICE_MODEL = ProfileKind("device_model", DeviceModel, folder="models")
KIOSK = ProfileKind("kiosk", KioskProfile, folder="kiosk")
BROADBAND = ProfileKind("broadband", BroadbandProfile, folder="broadband")
INVITATION = ProfileKind("invitation", InvitationTemplate, folder="invitations")

__all__ = ["KINDS", "PROFILES_DIR_ENV", "ProfileKind", "default_profiles_dir", "kind_of"]

KINDS: tuple[ProfileKind, ...] = (
    REGION,
    RESPONSIBILITIES,
    KIT,
    MUNICIPALITY,
    DEVICE_MODEL,
    KIOSK,
    BROADBAND,
    INVITATION,
)


def kind_of(relative_file: Path) -> ProfileKind | None:
    """The kind a file below the root holds, judged by where it lies."""
    parts = relative_file.parts
    for kind in KINDS:
        if len(parts) == 1 and parts[0] == kind.single_file:
            return kind
        if len(parts) == 2 and parts[0] == kind.folder:
            return kind
    return None
