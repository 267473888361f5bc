"""Load and validate the whole device_profiles/ tree into one typed catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vardmote.core.problems import ProblemsFound
from vardmote.region import layout
from vardmote.region.cross_rules import cross_file_problems
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
from vardmote.region.tree import PartialCatalogue, Sourced, read_tree


@dataclass(frozen=True)
class ProfileCatalogue:
    """Every profile of the region, validated, each with the document it came from."""

    root: Path
    region: Sourced[Region]
    responsibilities: Sourced[ResponsibilitiesFile]
    kit: Sourced[KitSpec]
    municipalities: dict[str, Sourced[Municipality]]
    models: dict[str, Sourced[DeviceModel]]
    kiosk_profiles: dict[str, Sourced[KioskProfile]]
    broadband_profiles: dict[str, Sourced[BroadbandProfile]]
    invitations: dict[str, Sourced[InvitationTemplate]]
    file_count: int

    def find_municipality(self, query: str) -> tuple[str, Municipality]:
        """A municipality by file name, name or kommunkod, case-insensitive ("timra", "Timrå", "2262")."""
        wanted = query.strip().casefold()
        for key, sourced in self.municipalities.items():
            if wanted in {key, sourced.model.name.casefold(), sourced.model.code}:
                return key, sourced.model
        known = ", ".join(sorted(m.model.name for m in self.municipalities.values()))
        raise LookupError(f"unknown municipality {query!r}; known: {known}")


def build_schemas() -> None:
    """Build every profile schema now rather than at its first validation. The models defer the build
    (it spares commands that never read a profile); a process that forks workers which each load a
    catalogue builds them once, before the fork, for all of them."""
    for kind in layout.KINDS:
        kind.model.model_rebuild()


def load_catalogue(root: Path | None = None) -> ProfileCatalogue:
    """Load, validate and cross-check a profiles tree; raise ProblemsFound listing every problem."""
    tree = read_tree(root or layout.default_profiles_dir())
    partial = PartialCatalogue.of(tree)
    problems = tree.problems + cross_file_problems(partial)
    if problems:
        raise ProblemsFound(problems)
    # A missing or invalid single file is a problem above, so the catalogue is whole.
    catalogue = catalogue_of(partial, tree.file_count)
    assert catalogue is not None
    return catalogue


def catalogue_of(partial: PartialCatalogue, file_count: int) -> ProfileCatalogue | None:
    """The valid part of a tree as a catalogue, or None where region, responsibilities or kit is
    missing (without them no profile can be judged)."""
    if partial.region is None or partial.responsibilities is None or partial.kit is None:
        return None
    return ProfileCatalogue(
        root=partial.root,
        region=partial.region,
        responsibilities=partial.responsibilities,
        kit=partial.kit,
        municipalities=partial.municipalities,
        models=partial.models,
        kiosk_profiles=partial.kiosk_profiles,
        broadband_profiles=partial.broadband_profiles,
        invitations=partial.invitations,
        file_count=file_count,
    )
