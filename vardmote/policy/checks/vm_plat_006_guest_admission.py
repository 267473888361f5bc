"""VM-PLAT-006: only invited, identified participants are in the room (routine 3.3, 4.2.3)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import PORTAL_TYPE
from vardmote.policy.settings import policy_settings


class GuestsIdentifiedAndAdmitted(Check):
    id = "VM-PLAT-006"
    title = (
        "Guests enter a room only after identifying at LoA3 (BankID/SITHS), with a PIN, and being admitted by the host"
    )
    severity = "critical"
    remediation = (
        "In vardmote:platform.portal.room_defaults set guests_wait_for_host: true (waiting room) and "
        "guest_pin_required: true, and name a guest identity provider of method bankid or siths at "
        "level_of_assurance 3 or higher."
    )
    target_kind = "platform_resource"
    config_section = ("portal", "room_defaults")
    resource_types = (PORTAL_TYPE,)

    def violations(self, target: Target) -> Iterable[Violation]:
        # Routine 3.3 and Inera's practice ask for both: guests are identified, and then let in by the
        # organiser from a waiting room. Either one alone lets the wrong person in.
        props = target.data.props
        rooms = props.get("room_defaults") or {}
        if rooms.get("allow_guests") is False:
            return
        if rooms.get("guests_wait_for_host") is not True:
            yield Violation(
                f"guests_wait_for_host is {rooms.get('guests_wait_for_host')!r}: guests enter without a waiting room",
                ("room_defaults", "guests_wait_for_host"),
            )
        if rooms.get("guest_pin_required") is not True:
            yield Violation(
                f"guest_pin_required is {rooms.get('guest_pin_required')!r}: guests enter without the room's PIN",
                ("room_defaults", "guest_pin_required"),
            )
        rules = policy_settings().guest_identity
        idp = props.get("guest_identity_provider")
        if not isinstance(idp, dict):
            yield Violation("guests identify through no identity provider", ("guest_identity_provider",))
            return
        level = idp.get("level_of_assurance")
        if idp.get("method") not in rules.methods or not isinstance(level, int) or level < rules.min_level_of_assurance:
            yield Violation(
                f"guests identify through {idp.get('name')!r} ({idp.get('method')}, LoA{level}); "
                f"LoA{rules.min_level_of_assurance} with {' or '.join(rules.methods)} is required",
                ("guest_identity_provider",),
            )


CHECK = GuestsIdentifiedAndAdmitted()
