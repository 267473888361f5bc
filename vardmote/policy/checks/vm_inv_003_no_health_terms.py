"""VM-INV-003: invitations say nothing about health or diagnosis (routine 4.2.4 a)."""

import re
from collections.abc import Iterable
from functools import cache

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.settings import policy_settings


@cache
def _health_words() -> re.Pattern[str]:
    terms = sorted(policy_settings().invitation.health_terms, key=len, reverse=True)
    # A term matches as a word or the start of one ("diagnos" finds "diagnosen", not "prognos").
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)


class NoHealthTerms(Check):
    id = "VM-INV-003"
    title = "Invitations contain no health or diagnosis words"
    severity = "high"
    remediation = "Rephrase neutrally; the list of words is invitation.health_terms in policies/settings.yaml."
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        for field in ("subject", "body"):
            text = target.data.get(field)
            for match in _health_words().finditer(text if isinstance(text, str) else ""):
                yield Violation(f"{field} mentions {match.group(0)!r}", (field,))


CHECK = NoHealthTerms()
