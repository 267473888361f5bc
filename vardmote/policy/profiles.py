"""The profiles as the review reads them: every valid file kept when others are broken, so that one bad
profile is one finding and the rest are still checked."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from vardmote.core.problems import Problem, ProblemsFound
from vardmote.policy.reading import guard_problems
from vardmote.region.catalogue import ProfileCatalogue, catalogue_of, load_catalogue
from vardmote.region.tree import PartialCatalogue, Sourced, read_tree


def load_profiles(root: Path) -> tuple[ProfileCatalogue | None, list[Problem]]:
    """The catalogue of `root` (None when region, responsibilities or kit cannot be read), and every
    problem found in it."""
    guarded = [problem for path in sorted(root.rglob("*.yaml")) for problem in guard_problems(path)]
    if not guarded:
        return _load(root)
    # The profile reader would hang on an alias bomb or crash on an impossible date, so it reads a
    # mirror of the tree without those files (links to the others), and what it read is put back at
    # the real paths.
    bad = {problem.file.resolve() for problem in guarded}
    with tempfile.TemporaryDirectory(prefix="vardmote-profiles-") as folder:
        mirror = Path(folder) / root.name
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.resolve() not in bad:
                link = mirror / path.relative_to(root)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path.resolve())
        catalogue, problems = _load(mirror)
    problems = [replace(p, file=_moved(p.file, mirror, root)) for p in problems]
    return (_rerooted(catalogue, mirror, root) if catalogue else None), guarded + problems


def _load(root: Path) -> tuple[ProfileCatalogue | None, list[Problem]]:
    try:
        return load_catalogue(root), []
    except ProblemsFound as found:
        problems = found.problems
    # Each missing region, responsibilities or kit file is among the problems.
    return catalogue_of(PartialCatalogue.of(read_tree(root)), 0), problems


def _moved(path: Path, mirror: Path, root: Path) -> Path:
    try:
        return root / path.relative_to(mirror)
    except ValueError:
        return path


def _rerooted(catalogue: ProfileCatalogue, mirror: Path, root: Path) -> ProfileCatalogue:
    def sourced(item: Sourced[Any]) -> Sourced[Any]:
        return replace(item, document=replace(item.document, path=_moved(item.document.path, mirror, root)))

    def named(items: dict[str, Sourced[Any]]) -> dict[str, Sourced[Any]]:
        return {name: sourced(item) for name, item in items.items()}

    return replace(
        catalogue,
        root=root,
        region=sourced(catalogue.region),
        responsibilities=sourced(catalogue.responsibilities),
        kit=sourced(catalogue.kit),
        municipalities=named(catalogue.municipalities),
        models=named(catalogue.models),
        kiosk_profiles=named(catalogue.kiosk_profiles),
        broadband_profiles=named(catalogue.broadband_profiles),
        invitations=named(catalogue.invitations),
    )
