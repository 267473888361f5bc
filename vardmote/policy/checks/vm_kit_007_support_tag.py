"""VM-KIT-007: a kit's support label sends people to whoever the matrix makes responsible."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.region.matrix import SUPPORT_DUTY


class SupportTagFollowsAlternative(Check):
    id = "VM-KIT-007"
    title = "Each kit's support tag names the party the responsibility matrix gives support under its alternative"
    severity = "medium"
    remediation = "Re-tag the kit (vardmote kit label) so its support party follows the municipality's alternative."
    target_kind = "kit"

    def violations(self, target: Target) -> Iterable[Violation]:
        kit = target.data
        municipality = target.context.municipalities.get(kit.get("municipality_code"))
        if municipality is None:
            yield Violation(f"municipality {kit.get('municipality_code')!r} is unknown", ("municipality_code",))
            return
        if kit.get("alternative") != municipality.alternative:
            yield Violation(
                f"tagged under alternative {kit.get('alternative')!r}, but {municipality.name} has alternative "
                f"{municipality.alternative}",
                ("alternative",),
            )
        expected = target.context.matrix.responsible(SUPPORT_DUTY, municipality.alternative)
        if kit.get("support_party") != expected:
            yield Violation(f"support tag is {kit.get('support_party')!r}, must be {expected!r}", ("support_party",))


CHECK = SupportTagFollowsAlternative()
