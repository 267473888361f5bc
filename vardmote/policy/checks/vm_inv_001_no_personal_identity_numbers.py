"""VM-INV-001: no personnummer or samordningsnummer in an invitation (routine 4.2.4 a, OSL 25 kap. 1 §)."""

from collections.abc import Iterable

from vardmote.policy.invitation_text import identity_numbers, text_fields
from vardmote.policy.model import Check, Target, Violation


def line_in(text: str, start: int) -> int:
    return text.count("\n", 0, start) + 1


class NoPersonalIdentityNumbers(Check):
    id = "VM-INV-001"
    title = "Invitations carry no personnummer or samordningsnummer"
    severity = "critical"
    remediation = "Remove the identity number: the patient is identified by logging in to 1177 with BankID."
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        # The number itself is never repeated in a finding: a report is read by more people than the file.
        for field, text in text_fields(target.data):
            for number in identity_numbers(text):
                what = number.kind if number.checksum_ok else f"a likely {number.kind} (its check digit is wrong)"
                article = "a " if number.checksum_ok else ""
                where = f" (line {line_in(text, number.start)})" if "\n" in text.strip() else ""
                yield Violation(f"{field}{where} contains {article}{what}: {number.masked}", (field,))


CHECK = NoPersonalIdentityNumbers()
