"""VM-INV-005: an invitation does not say who the patient is and where they live (routine 4.2.4 a)."""

from collections.abc import Iterable

from vardmote.policy.invitation_text import name_with_address, text_fields
from vardmote.policy.model import Check, Target, Violation


class NoNameWithAddress(Check):
    id = "VM-INV-005"
    title = "Invitations name no person together with an address"
    severity = "high"
    remediation = "Remove the name and the address: 1177 delivers the invitation to the right person already."
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        for field, text in text_fields(target.data):
            found = name_with_address(text)
            if found:
                yield Violation(f"{field} names a person with {found}", (field,))


CHECK = NoNameWithAddress()
