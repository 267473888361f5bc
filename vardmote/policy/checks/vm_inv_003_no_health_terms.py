"""VM-INV-003: invitations say nothing about health or diagnosis (routine 4.2.4 a)."""

from collections.abc import Iterable

from vardmote.policy.invitation_text import health_words, text_fields
from vardmote.policy.model import Check, Target, Violation


class NoHealthTerms(Check):
    id = "VM-INV-003"
    title = "Invitations contain no health or diagnosis words, in Swedish or English, whole or abbreviated"
    severity = "high"
    remediation = (
        "Rephrase neutrally; the words are invitation.health_words in policies/settings.yaml (roots, "
        "stemmed words, abbreviations)."
    )
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        for field, text in text_fields(target.data):
            for found in health_words(text):
                yield Violation(f"{field} mentions {found.word!r} ({found.term})", (field,))


CHECK = NoHealthTerms()
