"""VM-KIT-008: the kit's tablet has a screen of at least 12 inches (routine 5.1)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class ModelScreenSize(Check):
    id = "VM-KIT-008"
    title = "Every tablet model has a screen of at least 12 inches"
    severity = "low"
    remediation = "Procure a model with a screen of at least the kit's minimum (kit.yaml) and remove this one."
    target_kind = "device_model"

    def violations(self, target: Target) -> Iterable[Violation]:
        minimum = target.context.kit.model.min_screen_inches
        size = target.data.get("screen_inches")
        if not isinstance(size, int | float) or isinstance(size, bool) or size < minimum:
            yield Violation(f"screen_inches is {size!r}, must be at least {minimum:g}", ("screen_inches",))


CHECK = ModelScreenSize()
