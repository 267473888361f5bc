"""VM-INV-001: no personnummer or samordningsnummer in an invitation (routine 4.2.4 a, OSL 25 kap. 1 §)."""

import re
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation

# 10 or 12 digits: [CC]YYMMDD, an optional separator (- before 100 years of age, + after), NNN and C.
PERSONAL_NUMBER = re.compile(r"(?<![\d])(?:(?:18|19|20)?\d{2})(\d{2})(\d{2})[-+]?\d{4}(?![\d])")


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for index, char in enumerate(ten_digits[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(ten_digits[9])


def personal_numbers(text: str) -> list[str]:
    """Every Luhn-valid personnummer or samordningsnummer (day + 60) in `text`."""
    found = []
    for match in PERSONAL_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))[-10:]
        month, day = int(match.group(1)), int(match.group(2))
        real_day = day - 60 if day > 60 else day
        if 1 <= month <= 12 and 1 <= real_day <= 31 and _luhn_ok(digits):
            found.append(match.group(0))
    return found


class NoPersonalIdentityNumbers(Check):
    id = "VM-INV-001"
    title = "Invitations carry no personnummer or samordningsnummer"
    severity = "critical"
    remediation = "Remove the identity number: the patient is identified by logging in to 1177 with BankID."
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        for field in ("subject", "body"):
            text = target.data.get(field)
            for number in personal_numbers(text if isinstance(text, str) else ""):
                yield Violation(f"{field} contains the identity number {number[:6]}…", (field,))


CHECK = NoPersonalIdentityNumbers()
