"""VM-KIT-009: every kit carries the whole service package (routine 5.1)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class KitContentsComplete(Check):
    id = "VM-KIT-009"
    title = "Every kit holds all components of the service package"
    severity = "low"
    remediation = "Complete the kit with the missing components and record them (vardmote kit show)."
    target_kind = "kit"

    def violations(self, target: Target) -> Iterable[Violation]:
        contents = target.data.get("contents")
        required = target.context.components
        if not isinstance(contents, list):
            yield Violation("contents are unknown", ("contents",))
            return
        missing = [component for component in required if component not in contents]
        if missing:
            yield Violation(f"missing {', '.join(missing)}", ("contents",))


CHECK = KitContentsComplete()
