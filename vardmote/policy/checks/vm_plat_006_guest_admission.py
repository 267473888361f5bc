"""VM-PLAT-006: only invited, identified participants are in the room (routine 3.3, 4.2.3)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import PORTAL_TYPE
from vardmote.policy.settings import policy_settings


class GuestsIdentifiedOrAdmitted(Check):
    id = "VM-PLAT-006"
    title = "Guests enter a room only after identifying at LoA3 (BankID/SITHS) or being admitted by the host"
    severity = "critical"
    remediation = (
        "In portal.room_defaults set guests_wait_for_host: true (waiting room), or name a guest identity "
        "provider of method bankid or siths at level_of_assurance 3 or higher."
    )
    target_kind = "platform_resource"
    resource_types = (PORTAL_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        props = target.data.props
        rooms = props.get("room_defaults") or {}
        if rooms.get("allow_guests") is False:
            return
        if rooms.get("guests_wait_for_host") is True:
            return
        rules = policy_settings().guest_identity
        idp = props.get("guest_identity_provider")
        if isinstance(idp, dict):
            level = idp.get("level_of_assurance")
            if idp.get("method") in rules.methods and isinstance(level, int) and level >= rules.min_level_of_assurance:
                return
            yield Violation(
                f"guests identify through {idp.get('name')!r} ({idp.get('method')}, LoA{level}) and wait for no host; "
                f"LoA{rules.min_level_of_assurance} with {' or '.join(rules.methods)} is required"
            )
            return
        yield Violation("guests may join without a waiting room and without an identity provider")


CHECK = GuestsIdentifiedOrAdmitted()
