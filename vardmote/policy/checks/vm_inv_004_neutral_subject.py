"""VM-INV-004: the invitation's subject is a neutral phrasing (routine 4.2.4 a)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.settings import policy_settings


class NeutralSubject(Check):
    id = "VM-INV-004"
    title = 'The invitation subject is neutral, e.g. "Klicka här för att delta i ditt bokade SIP-möte"'
    severity = "medium"
    remediation = "Use one of invitation.neutral_subjects in policies/settings.yaml as the subject."
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        subject = target.data.get("subject")
        if subject not in policy_settings().invitation.neutral_subjects:
            yield Violation(f"subject {subject!r} is not one of the neutral subjects", ("subject",))


CHECK = NeutralSubject()
