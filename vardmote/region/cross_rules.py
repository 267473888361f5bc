"""Rules that span files: references resolve, the matrix is complete, and data agree with the routine.

Each rule reads the valid part of the tree and yields problems located in the file a person must edit.
A rule skips a relation whose other end is itself invalid: that file's own problem is already reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vardmote.core.problems import Problem
from vardmote.region import layout
from vardmote.region.matrix import BROADBAND_DUTY, DUTIES_THE_CODE_USES

if TYPE_CHECKING:
    from vardmote.region.tree import PartialCatalogue, Sourced

Rule = Callable[["PartialCatalogue"], Iterator[Problem]]


def municipality_profiles_exist(tree: PartialCatalogue) -> Iterator[Problem]:
    """Each municipality names a kiosk and a broadband profile that exist."""
    for sourced in tree.municipalities.values():
        for field, kind in (("kiosk_profile", layout.KIOSK), ("broadband_profile", layout.BROADBAND)):
            name = getattr(sourced.model, field)
            if name not in tree.present.get(kind.name, set()):
                known = ", ".join(sorted(tree.present.get(kind.name, set()))) or "none"
                yield sourced.problem((field,), f"no profile {kind.folder}/{name}.yaml; known: {known}")


def municipalities_are_unique(tree: PartialCatalogue) -> Iterator[Problem]:
    """No two municipality files share a kommunkod or a name."""
    for field in ("code", "name"):
        first: dict[str, str] = {}
        for key, sourced in sorted(tree.municipalities.items()):
            value = getattr(sourced.model, field)
            if value in first:
                yield sourced.problem((field,), f"{value!r} is already used by municipalities/{first[value]}.yaml")
            else:
                first[value] = key


def duties_the_code_uses_exist(tree: PartialCatalogue) -> Iterator[Problem]:
    """The duties that kit support tagging and the SIM rules act on are in the matrix."""
    if tree.responsibilities is None:
        return
    ids = {duty.id for duty in tree.responsibilities.model.duties}
    for duty_id in DUTIES_THE_CODE_USES:
        if duty_id not in ids:
            yield tree.responsibilities.problem(("duties",), f"needs the duty {duty_id!r}")


def duty_references_exist(tree: PartialCatalogue) -> Iterator[Problem]:
    """The region's central services and the kit's services name duties of the matrix."""
    if tree.responsibilities is None:
        return
    ids = {duty.id for duty in tree.responsibilities.model.duties}
    references: list[tuple[Sourced[Any], str, list[str]]] = []
    if tree.region is not None:
        references += [(tree.region, "central_services", tree.region.model.central_services)]
    if tree.kit is not None:
        kit = tree.kit.model
        references += [
            (tree.kit, "included_services", kit.included_services),
            (tree.kit, "operational_requirements", kit.operational_requirements),
        ]
    for sourced, field, duty_ids in references:
        for index, duty_id in enumerate(duty_ids):
            if duty_id not in ids:
                yield sourced.problem((field, index), f"no duty {duty_id!r} in responsibilities.yaml")


def central_services_are_the_regions(tree: PartialCatalogue) -> Iterator[Problem]:
    """Routine 5.2: the Region carries its central services under both alternatives."""
    if tree.region is None or tree.responsibilities is None:
        return
    duties = {duty.id: duty for duty in tree.responsibilities.model.duties}
    for index, duty_id in enumerate(tree.region.model.central_services):
        duty = duties.get(duty_id)
        if duty is None:
            continue
        for alternative in (1, 2):
            party = duty.responsible.under(alternative)
            if party != "region":
                yield tree.region.problem(
                    ("central_services", index),
                    f"{duty_id!r} is the {party}'s duty under alternative {alternative} in responsibilities.yaml, "
                    "but central services are the Region's under both alternatives",
                )


def models_meet_the_kit_screen_size(tree: PartialCatalogue) -> Iterator[Problem]:
    """Routine 5.1: the tablet has a screen of at least the kit's minimum (12 inches)."""
    if tree.kit is None:
        return
    minimum = tree.kit.model.min_screen_inches
    for sourced in tree.models.values():
        if sourced.model.screen_inches < minimum:
            yield sourced.problem(
                ("screen_inches",),
                f"must be at least {minimum:g} (kit.yaml tablet constraint), got {sourced.model.screen_inches:g}",
            )


def broadband_follows_the_matrix(tree: PartialCatalogue) -> Iterator[Problem]:
    """The broadband subscription is held by whoever the matrix gives mobile broadband to."""
    if tree.responsibilities is None:
        return
    duties = {duty.id: duty for duty in tree.responsibilities.model.duties}
    duty = duties.get(BROADBAND_DUTY)
    if duty is None:
        return
    for sourced in tree.municipalities.values():
        municipality = sourced.model
        profile = tree.broadband_profiles.get(municipality.broadband_profile)
        if profile is None:
            continue
        expected = duty.responsible.under(municipality.alternative)
        if profile.model.contract_holder != expected:
            yield sourced.problem(
                ("broadband_profile",),
                f"{municipality.broadband_profile!r} is held by the {profile.model.contract_holder}, but under "
                f"alternative {municipality.alternative} {BROADBAND_DUTY} is the {expected}'s duty",
            )


def kiosks_open_the_regions_video_service(tree: PartialCatalogue) -> Iterator[Problem]:
    """Routine 4.2.2/4.2.4: the kiosk opens the region's own web client and reaches nothing else."""
    if tree.region is None:
        return
    web_client = tree.region.model.video_service.web_client_url
    allowed_host = urlsplit(web_client).hostname
    for sourced in tree.kiosk_profiles.values():
        if not sourced.model.start_url.startswith(web_client):
            yield sourced.problem(("start_url",), f"must open the region's web client {web_client}")
        for index, host in enumerate(sourced.model.allowed_hosts):
            if host != allowed_host:
                yield sourced.problem(
                    ("allowed_hosts", index),
                    f"{host!r} is not the region's video service ({allowed_host})",
                )


RULES: tuple[Rule, ...] = (
    municipality_profiles_exist,
    municipalities_are_unique,
    duties_the_code_uses_exist,
    duty_references_exist,
    central_services_are_the_regions,
    models_meet_the_kit_screen_size,
    broadband_follows_the_matrix,
    kiosks_open_the_regions_video_service,
)


def cross_file_problems(tree: PartialCatalogue) -> list[Problem]:
    return [problem for rule in RULES for problem in rule(tree)]
