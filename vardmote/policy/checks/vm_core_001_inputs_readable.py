"""VM-CORE-001: fail closed on anything that cannot be read."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class InputsAreReadable(Check):
    id = "VM-CORE-001"
    title = "Every input under review can be read and understood"
    severity = "high"
    remediation = "Fix the file or stack named in the finding so that it parses and validates, then run again."
    target_kind = "input"

    def violations(self, target: Target) -> Iterable[Violation]:
        # An "input" target exists only for something that could not be read; its data is the reason.
        yield Violation(str(target.data))


CHECK = InputsAreReadable()
