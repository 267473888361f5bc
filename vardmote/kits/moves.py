"""Moves and changes of alternative that reach the tablet, not only the label.

A move or a municipality's change of alternative is recorded in the registry first (new tag and support
party; the old tag stays an alias) with the kit marked "policy pending"; then each pending kit's bundle is
rendered again and its new policy pushed (AMAPI) or ordered from the technician (a work order). A kit
whose push failed stays pending, and running the same command again, or `vardmote kit push`, finishes it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vardmote.core.file_writing import write_atomically
from vardmote.core.problems import one_line
from vardmote.kits.mdm.base import DeviceOutcome
from vardmote.kits.registry.registry import KitRegistry
from vardmote.kits.steps import KitContext, policy_id, push_policy
from vardmote.region.catalogue import ProfileCatalogue, load_catalogue
from vardmote.region.matrix import SUPPORT_DUTY
from vardmote.region.schema import Municipality


@dataclass(frozen=True)
class Pushed:
    asset_tag: str
    outcome: DeviceOutcome | None
    error: str | None = None


def push_pending(
    registry: KitRegistry, context: KitContext, tags: list[str], progress: Callable[[str], None] | None = None
) -> list[Pushed]:
    """Push the new policy of every kit among `tags` that is still "policy pending"; one kit's failure
    leaves it pending and does not stop the others."""
    done = []
    for record, old_tags, _ in registry.policy_pending(tags):
        if progress is not None:
            progress(record.asset_tag)
        try:
            outcome = push_policy(context, record, tuple(old_tags))
            assert outcome is not None
            registry.record_push(record.asset_tag, outcome.state, outcome.note, outcome.mdm_device)
            done.append(Pushed(record.asset_tag, outcome))
        except Exception as err:  # the kit stays pending, visibly; the next run tries it again
            done.append(Pushed(record.asset_tag, None, one_line(err)))
    return done


@dataclass(frozen=True)
class KitChange:
    """What a change of alternative does to one kit: each field before and after (equal when unchanged)."""

    asset_tag: str
    support: tuple[str, str]
    apn: tuple[str, str]
    policy: tuple[str, str]
    delivery: str


_FIELD_LINE = r"^({field}:[ \t]*)(\S.*?)([ \t]*(#.*)?)$"


def edited_municipality(text: str, changes: dict[str, str]) -> str:
    """The municipality file with top-level fields given new values, its comments and layout kept."""
    for field, value in changes.items():
        pattern = re.compile(_FIELD_LINE.format(field=re.escape(field)), re.MULTILINE)
        found = list(pattern.finditer(text))
        if len(found) != 1:
            raise ValueError(f"cannot find one top-level '{field}:' line to change")
        match = found[0]
        text = f"{text[: match.start(2)]}{value}{text[match.end(2) :]}"
    return text


def switched_catalogue(
    catalogue: ProfileCatalogue, key: str, alternative: int, broadband_profile: str | None
) -> tuple[ProfileCatalogue, str]:
    """The catalogue as it would be after the switch, validated as a whole (the broadband profile's
    holder must follow the matrix for the new alternative), and the municipality file's new text."""
    path = catalogue.municipalities[key].path
    changes = {"alternative": str(alternative)}
    if broadband_profile is not None:
        changes["broadband_profile"] = broadband_profile
    text = edited_municipality(path.read_text(encoding="utf-8"), changes)
    with tempfile.TemporaryDirectory(prefix="vardmote-profiles-") as scratch:
        copy = Path(scratch) / "device_profiles"
        shutil.copytree(catalogue.root, copy)
        (copy / path.relative_to(catalogue.root)).write_text(text, encoding="utf-8")
        switched = load_catalogue(copy)
    return switched, text


def plan_switch(
    catalogue: ProfileCatalogue, switched: ProfileCatalogue, key: str, registry: KitRegistry
) -> list[KitChange]:
    """Kit by kit, what the switch changes: support party, APN, policy, and how the tablet gets it."""
    before, after = catalogue.municipalities[key].model, switched.municipalities[key].model
    changes = []
    for kit in registry.list_kits(before.code, None):
        if kit.status == "retired":
            continue
        platform = catalogue.models[kit.model].model.platform
        if platform == "android" and kit.mdm_driver == "amapi" and kit.status == "enrolled":
            delivery = "AMAPI: policies.patch, devices.patch policyName"
        else:
            delivery = "work order in the bundle"
        changes.append(
            KitChange(
                asset_tag=kit.asset_tag,
                support=(kit.support_party, registry.matrix.responsible(SUPPORT_DUTY, after.alternative)),
                apn=(_apn(catalogue, before), _apn(switched, after)),
                policy=(policy_id(before), policy_id(after)),
                delivery=delivery,
            )
        )
    return changes


def _apn(catalogue: ProfileCatalogue, municipality: Municipality) -> str:
    profile = catalogue.broadband_profiles[municipality.broadband_profile].model
    return f"{profile.apn} ({municipality.broadband_profile})"


def write_switch(catalogue: ProfileCatalogue, key: str, text: str) -> None:
    """Write the municipality file's new text (whole, or not at all)."""
    path = catalogue.municipalities[key].path
    write_atomically(path, text.encode("utf-8"), path.stat().st_mode & 0o777)
