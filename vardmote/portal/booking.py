"""Booking a digital care meeting as staff do (routine 4.2.4 step 1: "Skapa och boka videomötesrum"):
the meeting's room on the Management API, made from the stack's room template, and the invitation to
send through 1177.

A booking is planned whole before anything is written: the request, the template and the rendered
message are judged, the room's number and identity-provider groups are looked up, and every field
is checked against the API's schema. Then the conference is created with its PINs, then its aliases;
a failure half-way deletes what this run made, so no half-made room is left. The room is found again
by its name, which carries the booking reference: a re-run of the same booking finds its room and
finishes it (a missing alias, a field that drifted from the template) rather than make a second one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vardmote.platform.pexip.api import ManagementApi
from vardmote.platform.pexip.api_schema import field_errors
from vardmote.platform.pexip.protocol import CONFIG_PATH, PexipApiError
from vardmote.portal.invitation import (
    PIN_PLACEHOLDER,
    Invitation,
    InvitationError,
    InvitationRefused,
    Message,
    meeting_values,
    render,
    review_message,
    review_template,
)
from vardmote.portal.pins import RoomPins, room_pins
from vardmote.portal.stack_rooms import ROOM, StackRooms

# A booking reference as the care organisation's booking system gives it: letters, digits and dashes.
# It names the room on the platform, so the invitation checks judge it too (no personnummer in it).
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")
ROOM_NAME_PREFIX = "Vårdmöte"
# What marks a conference as one the portal booked: a re-run never takes over a room made by hand.
PORTAL_TAG = "vardmote-portal"
ROOM_NUMBER_DIGITS = 6
E164_MAX_DIGITS = 15
NUMBER_ATTEMPTS = 50
Status = Literal["booked", "finished", "already booked", "planned"]


class BookingError(Exception):
    """A booking that cannot be made as asked: one line, naming the field or value."""


@dataclass(frozen=True)
class BookingRequest:
    reference: str
    starts_at: datetime  # aware, in the region's time zone
    invitation: Invitation
    support_phone: str

    @property
    def room_name(self) -> str:
        return f"{ROOM_NAME_PREFIX} {self.reference}"

    @property
    def description(self) -> str:
        return f"Bokad i videoportalen för {self.starts_at.isoformat(timespec='minutes')}"


def check_request(request: BookingRequest, rooms: StackRooms, now: datetime) -> None:
    """What can be known wrong before the API is asked anything (raises BookingError, InvitationRefused)."""
    if not REFERENCE.fullmatch(request.reference):
        raise BookingError(
            f"booking reference {request.reference!r}: 3 to 40 letters, digits and dashes, starting with a "
            "letter or digit"
        )
    if request.starts_at.tzinfo is None:
        raise BookingError(f"meeting time {request.starts_at.isoformat()}: needs a time zone")
    if request.starts_at <= now:
        raise BookingError(f"meeting time {request.starts_at.isoformat(timespec='minutes')}: is in the past")
    phone = rooms.aliases.get("phone")
    if phone is not None and len(re.sub(r"\D", "", phone.replace(ROOM, "0" * ROOM_NUMBER_DIGITS))) > E164_MAX_DIGITS:
        raise BookingError(
            f"stack {rooms.stack}: the phone alias {phone} with a {ROOM_NUMBER_DIGITS}-digit room is longer "
            f"than E.164's {E164_MAX_DIGITS} digits"
        )
    _review_template(request)
    needs_pin = PIN_PLACEHOLDER in request.invitation.placeholders
    if rooms.guest_pin and not needs_pin:
        raise BookingError(
            f"invitation {request.invitation.name}: has no {{{{ {PIN_PLACEHOLDER} }}}}, so guests would not get "
            "the room's guest PIN"
        )


def _review_template(request: BookingRequest) -> None:
    """The template, with the room's name, as the invitation checks judge it (raises InvitationRefused).
    The reference names the room every participant sees: what the checks find in the room's name is
    the reference's fault, not the template's, and is said so (BookingError)."""
    try:
        review_template(request.invitation, request.room_name)
    except InvitationRefused as refused:
        about_room = [finding.message for finding in refused.findings if finding.message.startswith("room ")]
        if about_room:
            said = about_room[0].removeprefix("room ")
            # The reference itself is not repeated: it is what the checks found personal data in.
            raise BookingError(
                f"booking reference: the room's name it makes {said}; use the booking system's reference, "
                "never a personnummer (participants see the room's name)"
            ) from None
        raise


@dataclass
class RoomPlan:
    """Everything a booking will write, decided before the first write."""

    request: BookingRequest
    number: str
    aliases: dict[str, str]  # kind → alias
    conference: dict[str, Any]  # its fields, without the PINs
    existing: dict[str, Any] | None = None  # the room as found, on a re-run
    missing_aliases: list[str] = field(default_factory=list)
    drift: dict[str, Any] = field(default_factory=dict)  # template fields to set on a found room
    pins: RoomPins | None = None  # new PINs to set (a new room, or --new-pins)
    message: Message | None = field(default=None, repr=False)  # the invitation, with the guest PIN in it
    values: dict[str, str] = field(default_factory=dict, repr=False)  # what the message was filled with
    sign_in: dict[str, str] = field(default_factory=dict)  # hosts, guests → the identity provider they use


@dataclass(frozen=True)
class Booking:
    status: Status
    plan: RoomPlan
    uri: str | None


PinDraw = Callable[[StackRooms], RoomPins]


def draw_pins(rooms: StackRooms) -> RoomPins:
    return room_pins(rooms.min_pin_length, host=rooms.host_pin, guest=rooms.guest_pin)


def plan_booking(
    api: ManagementApi,
    rooms: StackRooms,
    request: BookingRequest,
    *,
    new_pins: bool = False,
    pin_draw: PinDraw = draw_pins,
) -> RoomPlan:
    """The booking as it will be written, from read-only look-ups (raises BookingError, InvitationRefused)."""
    existing = api.find("conference", {"name": request.room_name})
    if existing is not None:
        _check_found(existing, request)
    number = _number_of(existing, rooms) if existing else None
    number = number or _free_number(api, rooms, request.reference)
    aliases = {kind: rooms.alias(kind, number) for kind in rooms.aliases}
    conference = {
        **rooms.conference,
        **_groups(api, rooms),
        "name": request.room_name,
        "description": request.description,
        "tag": PORTAL_TAG,
    }
    plan = RoomPlan(request, number, aliases, conference, existing)
    for who, group_field in (("hosts", "host_identity_provider_group"), ("guests", "guest_identity_provider_group")):
        plan.sign_in[who] = (
            rooms.group_providers.get(group_field) or conference.get(group_field) or "no identity provider"
        )
    if existing is None or new_pins:
        plan.pins = pin_draw(rooms)
    if existing is not None:
        found = {alias.get("alias") for alias in existing.get("aliases") or [] if isinstance(alias, dict)}
        plan.missing_aliases = [kind for kind, alias in aliases.items() if alias not in found]
        plan.drift = {name: value for name, value in conference.items() if existing.get(name) != value}
    else:
        plan.missing_aliases = list(aliases)
    _check_schema(plan)
    guest_pin = plan.pins.guest if plan.pins else None
    if guest_pin is not None or not rooms.guest_pin:
        link = f"{rooms.web_client_url}m/{aliases.get('web', number)}"
        plan.values = meeting_values(request.starts_at, link, request.support_phone)
        if guest_pin is not None:
            plan.values[PIN_PLACEHOLDER] = guest_pin
        try:
            plan.message = render(request.invitation, plan.values)
        except InvitationError as err:
            raise BookingError(str(err)) from None
        review_message(plan.message, request.room_name)
    return plan


def masked_message(plan: RoomPlan) -> Message | None:
    """The invitation as a dry run shows it: the guest PIN it would carry hidden (it is not set yet)."""
    if plan.message is None:
        return None
    values = dict(plan.values)
    if PIN_PLACEHOLDER in values:
        values[PIN_PLACEHOLDER] = "•" * len(values[PIN_PLACEHOLDER])
    return render(plan.request.invitation, values)


def carry_out(api: ManagementApi, plan: RoomPlan) -> Booking:
    """Write the plan: the conference (with its PINs), then its aliases; on a failure, delete what this
    run made and raise BookingError saying what, if anything, is left."""
    made: list[str] = []
    uri = str(plan.existing["resource_uri"]) if plan.existing else None
    try:
        if uri is None:
            assert plan.pins is not None
            uri, _ = api.create(
                "conference", {**plan.conference, **plan.pins.fields()}, identity={"name": plan.conference["name"]}
            )
            made.append(uri)
        for kind in plan.missing_aliases:
            body = _alias_body(plan, kind, uri)
            alias_uri, _ = api.create("conference_alias", body, identity={"alias": plan.aliases[kind]})
            made.append(alias_uri)
        if plan.existing is not None:
            api.update(uri, {**plan.drift, **(plan.pins.fields() if plan.pins else {})})
    except PexipApiError as err:
        raise BookingError(f"booking {plan.request.reference}: {err}; {_undo(api, made, plan)}") from None
    if plan.existing is None:
        return Booking("booked", plan, uri)
    changed = plan.missing_aliases or plan.drift or plan.pins
    return Booking("finished" if changed else "already booked", plan, uri)


def _undo(api: ManagementApi, made: list[str], plan: RoomPlan) -> str:
    left = []
    for uri in reversed(made):  # aliases before the conference they name
        try:
            api.delete(uri)
        except PexipApiError:
            left.append(uri)
    kept = " (the room existed before and is kept)" if plan.existing else ""
    if not left:
        return f"what this run made is deleted{kept}: run the booking again when the API answers"
    return f"left on the API: {', '.join(left)}: run the same booking again to finish it, or delete them"


def _alias_body(plan: RoomPlan, kind: str, conference_uri: str) -> dict[str, Any]:
    return {
        "alias": plan.aliases[kind],
        "conference": conference_uri,
        "description": f"The meeting room's {kind} alias",
    }


def _check_found(existing: dict[str, Any], request: BookingRequest) -> None:
    if existing.get("tag") != PORTAL_TAG:
        raise BookingError(
            f"a room named {request.room_name!r} exists that the portal did not book "
            f"({existing.get('resource_uri')}): choose another booking reference"
        )
    if existing.get("description") != request.description:
        raise BookingError(
            f"booking {request.reference} exists with another time ({existing.get('description')!r}): a moved "
            "meeting is a new booking, or give the time it was booked for"
        )


def _number_of(existing: dict[str, Any], rooms: StackRooms) -> str | None:
    """The room number in a found room's aliases (a re-run keeps the number the invitation may carry)."""
    patterns = [re.compile(re.escape(alias).replace(re.escape(ROOM), r"(\d+)")) for alias in rooms.aliases.values()]
    for alias in existing.get("aliases") or []:
        text = alias.get("alias") if isinstance(alias, dict) else None
        for pattern in patterns:
            match = pattern.fullmatch(text or "")
            if match:
                return match.group(1)
    return None


def _free_number(api: ManagementApi, rooms: StackRooms, reference: str) -> str:
    """A room number none of whose aliases is taken: drawn from the booking reference, so a dry run and the
    booking after it give the same number unless another booking took it in between."""
    low = 10 ** (ROOM_NUMBER_DIGITS - 1)
    for attempt in range(NUMBER_ATTEMPTS):
        digest = hashlib.sha256(f"{reference}:{attempt}".encode()).digest()
        number = str(low + int.from_bytes(digest[:8], "big") % (9 * low))
        if all(api.find("conference_alias", {"alias": rooms.alias(kind, number)}) is None for kind in rooms.aliases):
            return number
    raise BookingError(f"no free room number after {NUMBER_ATTEMPTS} tries: the number range is nearly full")


def _groups(api: ManagementApi, rooms: StackRooms) -> dict[str, str]:
    """The identity-provider groups the stack made, whose URIs the offline template does not know: each
    found as the one group holding its identity provider (SITHS for hosts, BankID for guests)."""
    groups = {}
    for group_field, provider_name in rooms.group_providers.items():
        provider = api.find("identity_provider", {"name": provider_name})
        if provider is None:
            raise BookingError(
                f"{group_field}: no identity provider {provider_name!r} on the Management API: deploy stack "
                f"{rooms.stack} first"
            )
        holding = [
            group
            for group in api.list("identity_provider_group")
            if provider["resource_uri"] in (group.get("identity_provider") or [])
        ]
        if len(holding) != 1:
            found = "none" if not holding else ", ".join(str(g.get("name")) for g in holding)
            raise BookingError(f"{group_field}: one identity-provider group must hold {provider_name!r}, found {found}")
        groups[group_field] = str(holding[0]["resource_uri"])
    return groups


def _check_schema(plan: RoomPlan) -> None:
    """Every field of every object the booking writes, against the API's schema, before the first write."""
    conference = {**plan.conference, **(plan.pins.fields() if plan.pins else {})}
    checks = [("conference", conference, plan.existing is None)]
    stand_in = f"{CONFIG_PATH}conference/1/"
    checks += [("conference_alias", _alias_body(plan, kind, stand_in), True) for kind in plan.missing_aliases]
    for resource, body, creating in checks:
        errors = field_errors(resource, body, creating=creating)
        for name, messages in errors.items():
            shown = "[secret]" if name in ("pin", "guest_pin") else repr(body.get(name))
            raise BookingError(f"{resource}.{name} = {shown}: {'; '.join(messages)}")
