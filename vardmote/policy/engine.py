"""Apply every check to every target it is for, fail closed, and weigh the results against waivers."""

from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

from vardmote.policy.catalogue import Requirement, Waiver, requirements_by_check
from vardmote.policy.model import Check, Location, Severity, Target, Violation

Status = Literal["pass", "fail", "waived", "error"]
SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_STACK_FILE = re.compile(r"(?:^|/)Pulumi\.([^/]+)\.yaml$")


def fingerprint(check_id: str, target_id: str, message: str) -> str:
    return hashlib.sha256(f"{check_id}\0{target_id}\0{message}".encode()).hexdigest()[:32]


def stack_of(target: Target) -> str | None:
    """The stack a target belongs to: its platform, resources, inventory and stack file."""
    if target.id.startswith("stack:"):
        return target.id.split(":")[1]
    if target.id.startswith("urn:pulumi:"):
        return target.id.removeprefix("urn:pulumi:").split("::", 1)[0]
    match = _STACK_FILE.search(target.id)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Outcome:
    check: Check
    target: Target
    status: Status
    violations: tuple[Violation, ...] = ()
    waiver: Waiver | None = None

    def fingerprints(self) -> list[str]:
        """One stable fingerprint a violation: check, target and message, never the line (which moves)."""
        return [fingerprint(self.check.id, self.target.id, v.message) for v in self.violations]

    def locations(self) -> list[tuple[Violation, Location]]:
        return [(v, self.target.location_of(self._source_path(v))) for v in self.violations]

    def _source_path(self, violation: Violation) -> tuple[str | int, ...] | None:
        """Where the file sets what the violation is about. A platform finding's path is a resource's
        property; the check's config_section says where the stack file sets it."""
        section = self.check.config_section
        if self.target.kind not in ("platform", "platform_resource"):
            return violation.path
        if section is None:
            return None
        last = violation.path[-1:] if violation.path else ()
        return ("config", "vardmote:platform", *section, *last)


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
    provenance: Any = None  # vardmote.policy.provenance.Provenance, when the runner made one
    # --fail-on: the least severity of a finding that fails the run (unreadable inputs, checks that could
    # not run and expired waivers fail it whatever this says).
    fail_on: Severity = "low"
    # --baseline: fingerprints of findings accepted earlier; only findings not among them fail the run.
    baseline: frozenset[str] = frozenset()

    @property
    def expired_waivers(self) -> list[Waiver]:
        return [w for w in self.waivers if w.expired(self.today)]

    @property
    def waivers_in_force(self) -> list[Waiver]:
        return [w for w in self.waivers if not w.expired(self.today)]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("fail", "error")]

    def blocks(self, outcome: Outcome) -> bool:
        """Whether this outcome fails the run: an error always; an unwaived failure of a mandatory check
        at or above --fail-on, unless every one of its findings is in the baseline."""
        if outcome.status == "error":
            return True
        if outcome.status != "fail" or not outcome.check.mandatory:
            return False
        if SEVERITY_RANK[outcome.check.severity] < SEVERITY_RANK[self.fail_on]:
            return False
        return not self.baseline or any(fp not in self.baseline for fp in outcome.fingerprints())

    def in_baseline(self, outcome: Outcome) -> bool:
        return bool(self.baseline) and all(fp in self.baseline for fp in outcome.fingerprints())

    @property
    def failed(self) -> bool:
        """Any blocking outcome (see `blocks`), or any expired waiver."""
        return any(self.blocks(o) for o in self.outcomes) or bool(self.expired_waivers)

    def stack_verdicts(self) -> dict[str, bool]:
        """Per stack read, and for everything else under "project files": whether it failed."""
        verdicts: dict[str, bool] = {}
        for outcome in self.outcomes:
            group = stack_of(outcome.target) or "project files"
            verdicts[group] = verdicts.get(group, False) or self.blocks(outcome)
        return dict(sorted(verdicts.items(), key=lambda item: (item[0] == "project files", item[0])))

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
        statuses = self._statuses_by_check.get(check_id, set())
        for status in ("error", "fail", "waived", "pass"):
            if status in statuses:
                return status
        return "out of scope"

    @cached_property
    def _statuses_by_check(self) -> dict[str, set[str]]:
        """Read once: a report asks for every requirement's checks, over tens of thousands of outcomes."""
        statuses: dict[str, set[str]] = {}
        for outcome in self.outcomes:
            statuses.setdefault(outcome.check.id, set()).add(outcome.status)
        return statuses


def evaluate(
    targets: Iterable[Target],
    checks: Sequence[Check],
    requirements: Sequence[Requirement],
    waivers: Sequence[Waiver],
    today: date | None = None,
    *,
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
