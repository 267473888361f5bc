"""The invitation checks (VM-INV-*) on one invitation, wherever it comes from.

`vardmote policy check` runs them over the template files in device_profiles/invitations; the portal
runs the very same checks, through the same engine, on a template before it books a room and on the
message it renders from it, and refuses to book when any of them finds something. There is one set of
rules: this module only hands an invitation to the checks and reads back what they found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vardmote.policy.catalogue import all_checks
from vardmote.policy.engine import evaluate
from vardmote.policy.model import Check, Location, Target, TargetKind

INVITATION: TargetKind = "invitation"


@dataclass(frozen=True)
class InvitationFinding:
    """One thing an invitation check found: the check's id, where, and what (never the value itself
    where it is personal data: the checks mask identity numbers)."""

    check_id: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.check_id} ({self.where}): {self.message}" if self.where else f"{self.check_id}: {self.message}"


def invitation_checks() -> tuple[Check, ...]:
    return tuple(check for check in all_checks() if check.target_kind == INVITATION)


def review_invitation(
    fields: Mapping[str, object],
    *,
    name: str = INVITATION,
    file: str | None = None,
    lines: Mapping[tuple[str | int, ...], int] | None = None,
) -> list[InvitationFinding]:
    """Every finding of the invitation checks on `fields` (subject, body and any other text the
    invitation shows). No waiver applies: a waiver accepts a reviewed file, never a message about to be
    sent. A check that crashes is a finding too, so a broken check refuses rather than lets through."""
    target = Target(INVITATION, name, dict(fields), Location(file, 1 if file else None), lines=dict(lines or {}))
    report = evaluate([target], invitation_checks(), [], [])
    findings = []
    for outcome in report.outcomes:
        if outcome.status == "pass":
            continue
        for violation, location in outcome.locations():
            findings.append(InvitationFinding(outcome.check.id, violation.message, str(location)))
    return findings
