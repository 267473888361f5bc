"""The invitation checks as the portal asks for them (vardmote.policy.invitation_review): the same
findings, case for case, as the checks' own fixtures expect, so a booking is judged as a review is."""

from __future__ import annotations

import pytest

from tests.unit.test_policy_checks import POLICY_FIXTURES, cases, changed, load, root_key
from vardmote.policy.invitation_review import invitation_checks, review_invitation

INVITATION_CASES = [(check_id, name) for check_id, name in cases() if check_id.startswith("VM-INV-")]


def test_the_review_runs_every_invitation_check_and_no_other() -> None:
    assert [check.id for check in invitation_checks()] == [f"VM-INV-00{n}" for n in range(1, 6)]


@pytest.mark.parametrize("check_id", sorted({check_id for check_id, _ in INVITATION_CASES}))
def test_a_compliant_invitation_has_no_findings(check_id: str) -> None:
    assert review_invitation(load(POLICY_FIXTURES / check_id / "baseline.yaml")["data"]) == []


@pytest.mark.parametrize(("check_id", "case_name"), INVITATION_CASES)
def test_the_review_finds_what_the_check_finds(check_id: str, case_name: str) -> None:
    case = next(c for c in load(POLICY_FIXTURES / check_id / "cases.yaml") if c["name"] == case_name)
    spec = load(POLICY_FIXTURES / check_id / "baseline.yaml")
    findings = review_invitation(changed(spec, case, root_key(spec))["data"])
    assert [finding.message for finding in findings if finding.check_id == check_id] == case["expect"]


def test_a_finding_names_the_file_and_line_it_is_on() -> None:
    lines: dict[tuple[str | int, ...], int] = {("subject",): 4, ("body",): 5}
    [finding] = review_invitation(
        {"subject": "Klicka här för att delta i ditt bokade SIP-möte", "body": "Om din diabetes"},
        file="invitations/x.yaml",
        lines=lines,
    )
    assert str(finding) == "VM-INV-003 (invitations/x.yaml:5): body mentions 'diabetes' (diabet)"
