"""A profiles tree as read: each valid file with the document it came from, and the problems found.

What the cross-file rules work on (`PartialCatalogue`) lives here, below both the rules and the
catalogue that runs them, so neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from vardmote.core.problems import Problem, ProblemsFound
from vardmote.core.sourced_yaml import SourcedDocument, load_sourced_yaml
from vardmote.core.validation import StrictModel, validate_document
from vardmote.region import layout
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

ModelT = TypeVar("ModelT", bound=StrictModel)


@dataclass(frozen=True)
class Sourced(Generic[ModelT]):
    """A validated model together with the document it came from, so later rules can point at lines."""

    model: ModelT
    document: SourcedDocument

    @property
    def path(self) -> Path:
        return self.document.path

    def problem(self, loc: tuple[str | int, ...], message: str) -> Problem:
        return self.document.problem(loc, message)


@dataclass
class LoadedTree:
    """What could be read from a profiles tree: valid files by kind, the names present, and the problems."""

    root: Path
    singles: dict[str, Sourced[StrictModel]] = field(default_factory=dict)
    named: dict[str, dict[str, Sourced[StrictModel]]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    file_count: int = 0


def _profile_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_dir() or relative.parts[0] in layout.NON_PROFILE_DIRS or relative.parts[0].startswith("."):
            continue
        if path.name.startswith(".") or path.suffix in {".md", ".txt"} or "__pycache__" in relative.parts:
            continue
        yield path


def read_tree(root: Path) -> LoadedTree:
    """Read and schema-validate every profile file below `root`, collecting problems instead of stopping."""
    tree = LoadedTree(root)
    if not root.is_dir():
        tree.problems.append(Problem(root, 1, "", "no such profiles directory"))
        return tree
    for path in _profile_files(root):
        relative = path.relative_to(root)
        kind = layout.kind_of(relative)
        if kind is None or path.suffix != ".yaml":
            tree.problems.append(Problem(path, 1, "", _unexpected_file_message(relative)))
            continue
        tree.file_count += 1
        if kind.folder:
            tree.present.setdefault(kind.name, set()).add(path.stem)
        try:
            document = load_sourced_yaml(path)
            model = validate_document(document, kind.model)
        except ProblemsFound as found:
            tree.problems += found.problems
            continue
        if kind.folder:
            tree.named.setdefault(kind.name, {})[path.stem] = Sourced(model, document)
        else:
            tree.singles[kind.name] = Sourced(model, document)
    for kind in layout.KINDS:
        if kind.single_file and not (root / kind.single_file).exists():
            tree.problems.append(Problem(root / kind.single_file, 1, "", "file is missing"))
        if kind.folder and not tree.present.get(kind.name):
            tree.problems.append(Problem(root / kind.folder, 1, "", "needs at least one .yaml file"))
    return tree


def _unexpected_file_message(relative: Path) -> str:
    kind = layout.kind_of(relative.with_suffix(".yaml"))
    if kind is not None:
        return "profile files end in .yaml"
    places = ", ".join(k.single_file or f"{k.folder}/*.yaml" for k in layout.KINDS)
    return f"not a profile file; expected one of: {places}"


def _single(tree: LoadedTree, kind: layout.ProfileKind, model: type[ModelT]) -> Sourced[ModelT] | None:
    sourced = tree.singles.get(kind.name)
    if sourced is None:
        return None
    assert isinstance(sourced.model, model)
    return Sourced(sourced.model, sourced.document)


def _named(tree: LoadedTree, kind: layout.ProfileKind, model: type[ModelT]) -> dict[str, Sourced[ModelT]]:
    result: dict[str, Sourced[ModelT]] = {}
    for name, sourced in tree.named.get(kind.name, {}).items():
        assert isinstance(sourced.model, model)
        result[name] = Sourced(sourced.model, sourced.document)
    return result


@dataclass(frozen=True)
class PartialCatalogue:
    """The valid part of a tree that may still have problems: what the cross-file rules work on."""

    region: Sourced[Region] | None
    responsibilities: Sourced[ResponsibilitiesFile] | None
    kit: Sourced[KitSpec] | None
    municipalities: dict[str, Sourced[Municipality]]
    models: dict[str, Sourced[DeviceModel]]
    kiosk_profiles: dict[str, Sourced[KioskProfile]]
    broadband_profiles: dict[str, Sourced[BroadbandProfile]]
    invitations: dict[str, Sourced[InvitationTemplate]]
    present: dict[str, set[str]]
    root: Path

    @classmethod
    def of(cls, tree: LoadedTree) -> PartialCatalogue:
        return cls(
            region=_single(tree, layout.REGION, Region),
            responsibilities=_single(tree, layout.RESPONSIBILITIES, ResponsibilitiesFile),
            kit=_single(tree, layout.KIT, KitSpec),
            municipalities=_named(tree, layout.MUNICIPALITY, Municipality),
            models=_named(tree, layout.DEVICE_MODEL, DeviceModel),
            kiosk_profiles=_named(tree, layout.KIOSK, KioskProfile),
            broadband_profiles=_named(tree, layout.BROADBAND, BroadbandProfile),
            invitations=_named(tree, layout.INVITATION, InvitationTemplate),
            present=tree.present,
            root=tree.root,
        )
