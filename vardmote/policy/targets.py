"""What the checks look at, gathered from stacks, profiles, invitation templates, kits and Ansible files.

A PATH is checked by the kind of its content, not by its name: a stack config (`config:` with
`vardmote:platform`), an invitation (`subject` and `body`), a kiosk profile (`start_url`), a broadband
profile (`apn`), a device model (`screen_inches`), Ansible variables or an inventory, or a kit export
(JSON with `asset_tag`). Anything that cannot be read, or whose kind cannot be told, becomes an
`input` target that fails (VM-CORE-001): nothing unreadable passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vardmote.core.problems import ProblemsFound, display_path
from vardmote.core.sourced_yaml import SourcedDocument
from vardmote.platform.stack_files import StackFile, holds_a_secret, holds_nested_secret, load_stack_file
from vardmote.policy.model import Location, Target, TargetKind
from vardmote.policy.platform_graph import PlatformGraph, PlatformResource
from vardmote.policy.reading import guard_problems, read_yaml
from vardmote.region.catalogue import ProfileCatalogue
from vardmote.region.matrix import ResponsibilityMatrix
from vardmote.region.schema import Municipality

YAML_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = frozenset({"schemas", ".git", ".venv", "__pycache__", "node_modules"})


@dataclass(frozen=True)
class KitCheckContext:
    """What kit checks compare against: the matrix, the municipalities by kommunkod, the package."""

    matrix: ResponsibilityMatrix
    municipalities: dict[str, Municipality]
    components: list[str]
    models: frozenset[str] = frozenset()  # the approved models' ids (device_profiles/models/<id>.yaml)

    @classmethod
    def of(cls, catalogue: ProfileCatalogue) -> KitCheckContext:
        return cls(
            matrix=ResponsibilityMatrix(catalogue.responsibilities.model, catalogue.region.model),
            municipalities={m.model.code: m.model for m in catalogue.municipalities.values()},
            components=[component.id for component in catalogue.kit.model.components],
            models=frozenset(catalogue.models),
        )


def unreadable(target_id: str, reason: str, location: Location) -> Target:
    return Target("input", target_id, reason, location)


def from_problems(found: ProblemsFound, target_id: str) -> list[Target]:
    return [
        unreadable(
            target_id, f"{p.field}: {p.message}" if p.field else p.message, Location(display_path(p.file), p.line)
        )
        for p in found.problems
    ]


# -- the platform -------------------------------------------------------------------------------


def platform_targets(
    graph: PlatformGraph, stack_file: Path, lines: dict[tuple[str | int, ...], int] | None = None
) -> list[Target]:
    """The stack's graph and each resource; `lines` (the stack file's) place a finding at the config key
    a check names (Check.config_section)."""
    file = display_path(stack_file)
    lines = lines or {}
    targets = [Target("platform", f"stack:{graph.stack}", graph, Location(file, 1), None, lines)]
    targets += [
        Target("platform_resource", resource.urn, resource, Location(file, None, resource.urn), None, lines)
        for resource in graph.resources
    ]
    return targets


def _secured(stack_file: StackFile) -> StackFile:
    """The stack file with every plain-text value of a secret key read as if it were `secure:`.

    A plain-text secret is a finding of the stack file (VM-SRV-002), not a reason to leave the rest of
    the stack unchecked: the program runs with the placeholder it gets for any secret."""
    config = dict(stack_file.config)
    for key, value in config.items():
        secure = isinstance(value, dict) and set(value) == {"secure"}
        if (holds_a_secret(key) and not secure) or (not secure and holds_nested_secret(value)):
            config[key] = {"secure": "plain text under review"}
    data = {**stack_file.document.data, "config": config}
    return StackFile(stack_file.stack, replace(stack_file.document, data=data))


def graph_of_stack(stack: str, project: Path) -> tuple[PlatformGraph, Path, Any]:
    """Run the stack's real program offline: its resources, its stack file and the Ansible inventory it
    exports (raises ProblemsFound for a broken stack config)."""
    # The Pulumi SDK loads only when a stack is checked: checking a file or a kit export needs none of it.
    from vardmote.platform.preview import run_offline  # noqa: PLC0415

    stack_file = _secured(load_stack_file(project, stack))
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    recording = run_offline(stack, values, secret_keys)
    resources = tuple(
        PlatformResource(type=r.type, name=r.name, urn=r.urn, parent=r.parent, props=r.inputs)
        for r in recording.resources
    )
    return PlatformGraph(stack, resources), stack_file.path, recording.outputs.get("ansible_inventory")


def stack_file_target(stack: str, project: Path) -> list[Target]:
    """The stack file as written, for the checks of what it says outside the program's objects: provider
    settings and secrets written in plain text."""
    path = project / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return []  # the stack's own target says it is missing
    try:
        document = read_yaml(path)
    except ProblemsFound:
        return []  # the stack's own target reports it
    file = display_path(path)
    return [Target("stack_file", file, document.data, Location(file, 1), None, document.lines)]


def stack_targets(stack: str, project: Path) -> list[Target]:
    file_targets = stack_file_target(stack, project)
    guarded = guard_problems(project / f"Pulumi.{stack}.yaml")
    if guarded:
        return from_problems(ProblemsFound(guarded), f"stack:{stack}")
    try:
        graph, path, inventory = graph_of_stack(stack, project)
    except ProblemsFound as found:
        return [*from_problems(found, f"stack:{stack}"), *file_targets]
    except Exception as err:  # the program failed: that is a finding, never a pass
        failed = unreadable(f"stack:{stack}", f"the program failed: {err}", Location(f"Pulumi.{stack}.yaml", 1))
        return [failed, *file_targets]
    lines = file_targets[0].lines if file_targets else None
    targets = platform_targets(graph, path, lines) + file_targets
    if isinstance(inventory, dict):
        targets.append(
            Target("ansible_vars", f"stack:{stack}:ansible_inventory", inventory, Location(display_path(path), 1))
        )
    return targets


# -- profiles and invitations --------------------------------------------------------------------

PROFILE_KINDS: dict[str, TargetKind] = {
    "kiosk_profiles": "kiosk_profile",
    "broadband_profiles": "broadband_profile",
    "models": "device_model",
    "invitations": "invitation",
}


def _file_target(kind: TargetKind, document: SourcedDocument, context: Any) -> Target:
    file = display_path(document.path)
    return Target(kind, file, document.data, Location(file, 1), context, document.lines)


def profile_targets(catalogue: ProfileCatalogue, include_invitations: bool = True) -> list[Target]:
    targets = []
    for attribute, kind in PROFILE_KINDS.items():
        if kind == "invitation" and not include_invitations:
            continue
        for sourced in getattr(catalogue, attribute).values():
            targets.append(_file_target(kind, sourced.document, catalogue))
    return targets


# -- kits ----------------------------------------------------------------------------------------


def kit_targets(
    records: Iterable[dict[str, Any]], context: KitCheckContext, source: str, lines: Iterable[int | None] = ()
) -> Iterator[Target]:
    """A target per kit record; `lines` gives each record's line in its file (JSON Lines), where known."""
    line_of = iter(lines)
    for index, record in enumerate(records, 1):
        line = next(line_of, None)
        where = Location(source, line) if line else Location(source)
        tag = record.get("asset_tag") if isinstance(record, dict) else None
        if not isinstance(tag, str):
            yield unreadable(f"{source}#{line or index}", "a kit record without asset_tag", where)
            continue
        yield Target("kit", f"kit:{tag}", record, where, context)


def read_kit_export(path: Path) -> tuple[list[Any], list[int | None]]:
    """A JSON array of kit records, or JSON Lines (one record a line), with each record's line (JSON
    Lines only: blank lines are skipped, so a record's index is not its line). A record that is not
    JSON raises ValueError naming its line."""
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        records = json.loads(text)
        records = records if isinstance(records, list) else [records]
        return records, [None] * len(records)
    parsed: list[Any] = []
    lines: list[int | None] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append(json.loads(line))
        except ValueError as err:
            raise ValueError(f"line {number}: {err}") from err
        lines.append(number)
    return parsed, lines


# -- paths -----------------------------------------------------------------------------------------


def _kind_of_content(path: Path, data: Any) -> TargetKind | str | None:
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        # A playbook or task file: its vars and module arguments are checked like variables.
        looks_ansible = any("hosts" in item or "tasks" in item or "name" in item for item in data)
        return "ansible_vars" if looks_ansible else None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("config"), dict) and "vardmote:platform" in data["config"]:
        return "stack"
    if "subject" in data and "body" in data:
        return "invitation"
    if "start_url" in data and "allowed_hosts" in data:
        return "kiosk_profile"
    if "apn" in data:
        return "broadband_profile"
    if "screen_inches" in data and "platform" in data:
        return "device_model"
    ansible_places = {"group_vars", "host_vars", "inventories", "inventory", "vars", "defaults"}
    role_metadata = "galaxy_info" in data  # a role's meta/main.yml: checked like its variables
    if ansible_places & set(path.parts) or role_metadata or ("all" in data and isinstance(data["all"], dict)):
        return "ansible_vars"
    return None


def files_below(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix in (*YAML_SUFFIXES, ".json", ".jsonl")
        and not SKIPPED_DIRS & set(p.relative_to(path).parts)
    )


def path_targets(path: Path, catalogue: ProfileCatalogue | None, kit_context: KitCheckContext | None) -> list[Target]:
    """Targets for one file, or every file below a folder, by the kind of each file's content."""
    if not path.exists():
        return [unreadable(str(path), "no such file or folder", Location(str(path)))]
    targets: list[Target] = []
    for file in files_below(path):
        shown = display_path(file)
        if file.suffix in (".json", ".jsonl"):
            try:
                records, lines = read_kit_export(file)
            except (OSError, ValueError) as err:
                line = int(str(err).split(":", 1)[0].removeprefix("line ")) if str(err).startswith("line ") else 1
                targets.append(unreadable(shown, f"not a kit export: {err}", Location(shown, line)))
                continue
            if kit_context is None:
                targets.append(unreadable(shown, "kits need valid device_profiles to be checked", Location(shown, 1)))
                continue
            targets += kit_targets(records, kit_context, shown, lines)
            continue
        try:
            document = read_yaml(file)
        except ProblemsFound as found:
            targets += from_problems(found, shown)
            continue
        kind = _kind_of_content(file, document.data)
        if kind == "stack":
            stack = file.name.removeprefix("Pulumi.").removesuffix(".yaml")
            targets += stack_targets(stack, file.parent)
        elif kind is None:
            targets.append(
                unreadable(shown, "cannot tell what this file is, so it cannot be checked", Location(shown, 1))
            )
        elif kind in ("kiosk_profile", "device_model") and catalogue is None:
            targets.append(unreadable(shown, "needs valid device_profiles to be checked", Location(shown, 1)))
        else:
            targets.append(_file_target(kind, document, catalogue))  # type: ignore[arg-type]
    return targets
