"""The requirement catalogue (requirements.yaml), the waivers (waivers.yaml) and the checks, loaded."""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from vardmote.core.problems import Problem, ProblemsFound
from vardmote.core.project_files import project_folder
from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.core.validation import FieldError, StrictModel, validate_document
from vardmote.platform.stack_files import project_dir
from vardmote.policy import checks as checks_package
from vardmote.policy.model import Check
from vardmote.policy.reading import read_yaml

POLICIES_DIR = project_folder("policies")
REQUIREMENTS_FILE = POLICIES_DIR / "requirements.yaml"
WAIVERS_FILE = POLICIES_DIR / "waivers.yaml"
CheckId = Annotated[str, Field(pattern=r"^VM-[A-Z]+-\d{3}$")]


class Source(StrictModel):
    document: str = Field(min_length=1)
    section: str = Field(min_length=1)


class Requirement(StrictModel):
    id: str = Field(pattern=r"^[A-Z0-9][A-Za-z0-9.\-]*$")
    source: Source
    text_sv: str = Field(min_length=1)
    text_en: str = Field(min_length=1)
    checks: list[CheckId] = Field(default_factory=list)
    manual: str | None = Field(default=None, description="Why no machine can check it")

    @model_validator(mode="after")
    def _checked_or_manual(self) -> Requirement:
        if bool(self.checks) == bool(self.manual):
            raise FieldError(("checks",), "name checks, or say under `manual` why none can check it (not both)")
        return self


class RequirementCatalogue(StrictModel):
    requirements: list[Requirement] = Field(min_length=1)


# A waiver is reviewed again at least once a year: one that runs longer is a policy change, not a waiver.
MAX_WAIVER_DAYS = 366


class Waiver(StrictModel):
    check: CheckId
    target: str = Field(min_length=1, description="A target id, or a glob such as urn:pulumi:rvn-test::*")
    justification: str = Field(min_length=10)
    approved_by: str = Field(min_length=1)
    approver_role: str | None = Field(
        default=None, min_length=3, description="The approver's role; required for a waiver of every target"
    )
    expires: date

    @model_validator(mode="after")
    def _every_target_needs_a_role(self) -> Waiver:
        if self.covers_everything and not self.approver_role:
            raise FieldError(
                ("approver_role",),
                f"a waiver of {self.check} for every target ({self.target!r}) needs the approver's role, "
                "e.g. approver_role: Informationssäkerhetsansvarig",
            )
        return self

    @property
    def covers_everything(self) -> bool:
        return set(self.target) <= {"*", "?"}

    def covers(self, check_id: str, target_id: str) -> bool:
        return self.check == check_id and fnmatch.fnmatchcase(target_id, self.target)

    def expired(self, today: date) -> bool:
        return self.expires < today


class WaiverFile(StrictModel):
    waivers: list[Waiver] = Field(default_factory=list)


@cache
def all_checks() -> tuple[Check, ...]:
    """Every check in vardmote/policy/checks/, ordered by id."""
    found = []
    for module_info in pkgutil.iter_modules(checks_package.__path__):
        module = importlib.import_module(f"{checks_package.__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, Check):
            raise TypeError(f"vardmote/policy/checks/{module_info.name}.py defines no CHECK")
        found.append(check)
    ids = [check.id for check in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise TypeError(f"check ids used twice: {', '.join(sorted(duplicates))}")
    return tuple(sorted(found, key=lambda c: c.id))


def load_requirements(path: Path = REQUIREMENTS_FILE) -> list[Requirement]:
    """The catalogue; every check it names must exist and every check must serve a requirement."""
    document = load_sourced_yaml(path)
    catalogue = validate_document(document, RequirementCatalogue)
    known = {check.id for check in all_checks()}
    problems: list[Problem] = []
    served: set[str] = set()
    for index, requirement in enumerate(catalogue.requirements):
        for position, check_id in enumerate(requirement.checks):
            served.add(check_id)
            if check_id not in known:
                problems.append(document.problem(("requirements", index, "checks", position), f"no check {check_id}"))
    for check_id in sorted(known - served):
        problems.append(Problem(path, 1, "", f"check {check_id} serves no requirement"))
    if problems:
        raise ProblemsFound(problems)
    return catalogue.requirements


def requirements_by_check(requirements: list[Requirement]) -> dict[str, list[str]]:
    """Check id → the ids of the requirements it serves (the traceability, read backwards)."""
    serves: dict[str, list[str]] = {}
    for requirement in requirements:
        for check_id in requirement.checks:
            serves.setdefault(check_id, []).append(requirement.id)
    return serves


def waivers_file() -> Path:
    """The waivers of the project under review: its own policies/waivers.yaml (the Pulumi project that
    $VARDMOTE_PROJECT_DIR or the working folder names), else the ones shipped with vardmote. Waivers
    are a deployment's decisions; the requirements and settings are vardmote's own."""
    reviewed = project_dir() / "policies" / "waivers.yaml"
    return reviewed if reviewed.is_file() else WAIVERS_FILE


def load_waivers(path: Path | None = None, today: date | None = None) -> list[Waiver]:
    """The waivers, each naming a check that exists and expiring within a year of `today`."""
    document = read_yaml(path or waivers_file())
    waivers = validate_document(document, WaiverFile).waivers
    today = today or date.today()
    known = {check.id for check in all_checks()}
    problems: list[Problem] = []
    for index, waiver in enumerate(waivers):
        if waiver.check not in known:
            problems.append(document.problem(("waivers", index, "check"), f"no check {waiver.check}"))
        if (waiver.expires - today).days > MAX_WAIVER_DAYS:
            problems.append(
                document.problem(
                    ("waivers", index, "expires"),
                    f"{waiver.expires} is more than a year away; a waiver is renewed at least yearly",
                )
            )
    if problems:
        raise ProblemsFound(problems)
    return waivers
