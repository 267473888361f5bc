"""VM-KIT-010: a kit is of a model the region has approved."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation


class KitOfApprovedModel(Check):
    id = "VM-KIT-010"
    title = "Every kit's tablet is of a model listed in device_profiles/models"
    severity = "high"
    remediation = (
        "Replace the tablet with an approved model (vardmote kit replace), or add the model to "
        "device_profiles/models once it is approved."
    )
    target_kind = "kit"

    def violations(self, target: Target) -> Iterable[Violation]:
        model = target.data.get("model")
        if model not in target.context.models:
            known = ", ".join(sorted(target.context.models))
            yield Violation(f"model {model!r} is not an approved model ({known})", ("model",))


CHECK = KitOfApprovedModel()
