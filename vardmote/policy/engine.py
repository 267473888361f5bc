"""Apply every check to every target it is for, fail closed, and weigh the results against waivers."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

from vardmote.policy.catalogue import Requirement, Waiver, requirements_by_check
from vardmote.policy.model import Check, Location, Target, Violation

Status = Literal["pass", "fail", "waived", "error"]


@dataclass(frozen=True)
class Outcome:
    check: Check
    target: Target
    status: Status
    violations: tuple[Violation, ...] = ()
    waiver: Waiver | None = None

    def locations(self) -> list[tuple[Violation, Location]]:
        return [(v, self.target.location_of(v.path)) for v in self.violations]


@dataclass
class Report:
    outcomes: list[Outcome]
    checks: Sequence[Check]
    requirements: Sequence[Requirement]
    waivers: Sequence[Waiver]
    today: date
    targets: int
    # The target kinds this run was asked to cover: a check for one of them that found no target to
    # look at is an error, never "not run" beside "passed".
    expected_kinds: frozenset[str] = frozenset()
    seconds: float = 0.0
    sources: list[str] = field(default_factory=list)  # the stack files, folders and registry read
    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def expired_waivers(self) -> list[Waiver]:
        return [w for w in self.waivers if w.expired(self.today)]

    @property
    def waivers_in_force(self) -> list[Waiver]:
        return [w for w in self.waivers if not w.expired(self.today)]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("fail", "error")]

    @property
    def failed(self) -> bool:
        """Any unwaived failure of a mandatory check, any crash, or any expired waiver."""
        blocking = any(o.status == "error" or (o.status == "fail" and o.check.mandatory) for o in self.outcomes)
        return blocking or bool(self.expired_waivers)

    @cached_property
    def serves(self) -> dict[str, list[str]]:
        """Check id → the requirements it serves."""
        return requirements_by_check(list(self.requirements))

    def requirements_of(self, check_id: str) -> list[str]:
        """The ids of the requirements a check serves."""
        return self.serves.get(check_id, [])

    def status_of_check(self, check_id: str) -> Status | Literal["out of scope"]:
        """A check with no outcome looks at a kind of target this run was not asked to cover (kits
        without a registry, say); a check whose kind was in scope always has an outcome."""
        statuses = {o.status for o in self.outcomes if o.check.id == check_id}
        for status in ("error", "fail", "waived", "pass"):
            if status in statuses:
                return status
        return "out of scope"


def evaluate(
    targets: Iterable[Target],
    checks: Sequence[Check],
    requirements: Sequence[Requirement],
    waivers: Sequence[Waiver],
    today: date | None = None,
    expected_kinds: Iterable[str] = (),
) -> Report:
    started = time.perf_counter()
    today = today or date.today()
    active = [w for w in waivers if not w.expired(today)]
    by_kind: dict[str, list[Check]] = defaultdict(list)
    for check in checks:
        by_kind[check.target_kind].append(check)
    outcomes: list[Outcome] = []
    count = 0
    for target in targets:
        count += 1
        for check in by_kind.get(target.kind, ()):
            if check.resource_types and target.data.type not in check.resource_types:
                continue
            outcomes.append(_run(check, target, active))
    expected = frozenset(expected_kinds)
    ran = {outcome.check.id for outcome in outcomes}
    for check in checks:
        # A check of certain resource types is owed by the stacks whose environment needs those
        # resources; VM-CORE-002 fails a stack that lacks them, so it is not owed here.
        if check.target_kind in expected and not check.resource_types and check.id not in ran:
            outcomes.append(_did_not_run(check))
    report = Report(outcomes, checks, requirements, waivers, today, count, expected)
    for outcome in outcomes:
        report.counts[outcome.status] = report.counts.get(outcome.status, 0) + 1
    report.seconds = time.perf_counter() - started
    return report


def _did_not_run(check: Check) -> Outcome:
    scope = Target(check.target_kind, f"{check.target_kind}:*", None, Location())
    why = f"no {check.target_kind.replace('_', ' ')} was found to check, so this check could not run"
    return Outcome(check, scope, "error", (Violation(why),))


def _run(check: Check, target: Target, waivers: Sequence[Waiver]) -> Outcome:
    try:
        violations = tuple(check.violations(target))
    except Exception as err:  # a crashing check is a failure, never a pass
        crash = Violation(f"the check crashed on this target: {type(err).__name__}: {err}")
        return Outcome(check, target, "error", (crash,))
    if not violations:
        return Outcome(check, target, "pass")
    for waiver in waivers:
        if waiver.covers(check.id, target.id):
            return Outcome(check, target, "waived", violations, waiver)
    return Outcome(check, target, "fail", violations)
