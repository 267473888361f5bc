"""The offline runner: gather what was asked for, run every check, return the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vardmote.core.problems import ProblemsFound, one_line
from vardmote.platform.stack_files import available_stacks
from vardmote.policy.catalogue import all_checks, load_requirements, load_waivers
from vardmote.policy.engine import Report, evaluate
from vardmote.policy.model import Location, Target
from vardmote.policy.targets import (
    KitCheckContext,
    from_problems,
    kit_targets,
    path_targets,
    profile_targets,
    stack_targets,
    unreadable,
)
from vardmote.region.catalogue import ProfileCatalogue, load_catalogue

ANSIBLE_DIR = "provisioning"


@dataclass
class Selection:
    """What to check. Nothing selected means everything in the project."""

    paths: list[Path] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)
    profiles: bool = False
    kits: bool = False  # every kit in the registry at VARDMOTE_DB_URL that is not retired
    db_url: str | None = None

    @property
    def everything(self) -> bool:
        return not (self.paths or self.stacks or self.profiles or self.kits)


def _catalogue(profiles_dir: Path | None) -> tuple[ProfileCatalogue | None, list[Target]]:
    try:
        return load_catalogue(profiles_dir), []
    except ProblemsFound as found:
        return None, from_problems(found, "device_profiles")


def collect_targets(selection: Selection, project: Path, profiles_dir: Path | None = None) -> list[Target]:
    catalogue, targets = _catalogue(profiles_dir)
    kit_context = KitCheckContext.of(catalogue) if catalogue else None
    stacks = available_stacks(project) if selection.everything else selection.stacks
    for stack in stacks:
        targets += stack_targets(stack, project)
    if (selection.everything or selection.profiles) and catalogue is not None:
        targets += profile_targets(catalogue)
    paths = list(selection.paths)
    if selection.everything and (project / ANSIBLE_DIR).is_dir():
        paths.append(project / ANSIBLE_DIR)
    for path in paths:
        targets += path_targets(path, catalogue, kit_context)
    if selection.kits:
        targets += registry_kit_targets(selection.db_url, kit_context)
    return targets


def registry_kit_targets(db_url: str | None, kit_context: KitCheckContext | None) -> list[Target]:
    from vardmote.kits.registry.database import default_db_url  # noqa: PLC0415 - SQLAlchemy only when asked
    from vardmote.kits.registry.export import active_kit_rows  # noqa: PLC0415

    url = db_url or default_db_url()
    source = f"registry {url.split('@')[-1]}"
    if kit_context is None:
        return [unreadable(source, "kits need valid device_profiles to be checked", Location(source))]
    try:
        rows = active_kit_rows(url)
    except Exception as err:  # an unreachable or broken registry is a failure, never an empty pass
        return [unreadable(source, f"cannot read the kit registry: {one_line(err)}", Location(source))]
    return list(kit_targets(rows, kit_context, source))


def check(selection: Selection, project: Path, profiles_dir: Path | None = None, today: date | None = None) -> Report:
    targets = collect_targets(selection, project, profiles_dir)
    return evaluate(targets, all_checks(), load_requirements(), load_waivers(), today)
