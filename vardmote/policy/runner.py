"""The offline runner: gather what was asked for, run every check, return the report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vardmote.core.problems import ProblemsFound, display_path, one_line
from vardmote.platform.stack_files import available_stacks
from vardmote.policy import provenance
from vardmote.policy.catalogue import all_checks, load_requirements, load_waivers
from vardmote.policy.engine import Report, evaluate
from vardmote.policy.model import Location, Target
from vardmote.policy.profiles import load_profiles
from vardmote.policy.settings import policy_settings
from vardmote.policy.targets import (
    KitCheckContext,
    from_problems,
    kit_targets,
    path_targets,
    profile_targets,
    stack_targets,
    unreadable,
)
from vardmote.region import layout
from vardmote.region.catalogue import ProfileCatalogue

ANSIBLE_DIR = "provisioning"
# Named here as the registry names it: importing the registry costs SQLAlchemy, which a run without kits
# does not need.
DB_URL_ENV = "VARDMOTE_DB_URL"


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
    catalogue, problems = load_profiles(profiles_dir or layout.default_profiles_dir())
    return catalogue, from_problems(ProblemsFound(problems), "device_profiles") if problems else []


def _expected_kinds(selection: Selection) -> set[str]:
    """The kinds of target a run must find. Kits are not among them: a registry may rightly hold no
    active kit, and one that cannot be read is already a failure of its own."""
    kinds: set[str] = set()
    if selection.everything or selection.stacks:
        kinds |= {"platform", "platform_resource", "stack_file", "ansible_vars"}
    if selection.everything or selection.profiles:
        kinds |= {"kiosk_profile", "broadband_profile", "device_model", "invitation"}
    return kinds


@dataclass
class Collected:
    targets: list[Target]
    expected_kinds: set[str]
    sources: list[str] = field(default_factory=list)  # what was read: stack files, folders, the registry


def collect(selection: Selection, project: Path, profiles_dir: Path | None = None) -> Collected:
    """Every target the selection asks for. Whatever the project must have and lacks is a target that
    fails (a stack file, the Ansible tree, the profiles, a configured registry), never a silent gap."""
    catalogue, targets = _catalogue(profiles_dir)
    kit_context = KitCheckContext.of(catalogue) if catalogue else None
    sources: list[str] = []
    if selection.everything:
        stacks = sorted(set(available_stacks(project)) | set(policy_settings().required_stacks))
    else:
        stacks = selection.stacks
    for stack in stacks:
        targets += stack_targets(stack, project)
        sources.append(f"Pulumi.{stack}.yaml")
    if (selection.everything or selection.profiles) and catalogue is not None:
        targets += profile_targets(catalogue)
    if selection.everything or selection.profiles:
        sources.append("device_profiles/")
    paths = list(selection.paths)
    if selection.everything:
        ansible = project / ANSIBLE_DIR
        if ansible.is_dir():
            paths.append(ansible)
        else:
            targets.append(unreadable(f"{ANSIBLE_DIR}/", "the Ansible tree is missing", Location(f"{ANSIBLE_DIR}/")))
    for path in paths:
        targets += path_targets(path, catalogue, kit_context)
        sources.append(display_path(path))
    url = registry_url(selection)
    if url is not None:
        targets += registry_kit_targets(url, kit_context)
        sources.append(registry_name(url))
    return Collected(targets, _expected_kinds(selection), sources)


def collect_targets(selection: Selection, project: Path, profiles_dir: Path | None = None) -> list[Target]:
    return collect(selection, project, profiles_dir).targets


def registry_url(selection: Selection) -> str | None:
    """The registry to check: asked for with --kits, configured in VARDMOTE_DB_URL, or present at the
    default location. A whole-project run checks the kits whenever a registry exists."""
    configured = selection.db_url or os.environ.get(DB_URL_ENV)
    if selection.kits or (selection.everything and configured):
        return configured or _default_registry_url()
    if selection.everything:
        default = _default_registry_url()
        return default if Path(default.removeprefix("sqlite:///")).is_file() else None
    return None


def _default_registry_url() -> str:
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "vardmote"
    return f"sqlite:///{data / 'registry.sqlite'}"


def registry_name(url: str) -> str:
    return f"registry {url.rsplit('@', maxsplit=1)[-1]}"


def registry_kit_targets(url: str, kit_context: KitCheckContext | None) -> list[Target]:
    from vardmote.kits.registry.export import active_kit_rows  # noqa: PLC0415 - SQLAlchemy only when asked

    source = registry_name(url)
    if kit_context is None:
        return [unreadable(source, "kits need valid device_profiles to be checked", Location(source))]
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1].split("?", 1)[0]
        if database in ("", ":memory:") or not Path(database).is_file():
            # Connecting would create a new, empty registry that passes with no kits.
            return [unreadable(source, f"no kit registry at {database or url}", Location(source))]
        # Read-only: a review never migrates or writes the registry it reviews.
        url = f"sqlite:///file:{database}?mode=ro&uri=true"
    try:
        rows = active_kit_rows(url)
    except Exception as err:  # an unreachable or broken registry is a failure, never an empty pass
        return [unreadable(source, f"cannot read the kit registry: {one_line(err)}", Location(source))]
    return list(kit_targets(rows, kit_context, source))


def check(selection: Selection, project: Path, profiles_dir: Path | None = None, today: date | None = None) -> Report:
    collected = collect(selection, project, profiles_dir)
    report = evaluate(
        collected.targets,
        all_checks(),
        load_requirements(),
        load_waivers(today=today),
        today,
        expected_kinds=collected.expected_kinds,
    )
    report.sources = collected.sources
    report.provenance = provenance.collect(project, collected.sources)
    return report
