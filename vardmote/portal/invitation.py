"""The 1177 message of a booked meeting (routine 4.2.4 step 2), rendered from a neutral invitation
template in device_profiles/invitations/ and judged by the invitation checks twice: the template as
written (no free-text fields, a neutral subject, nothing personal), and the message as it would be
sent (what the booking filled in, and the room's name, which participants see). Anything either
finds refuses the booking; the messages name the check, never the personal data itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vardmote.core.problems import display_path
from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.core.validation import validate_document
from vardmote.policy.checks.vm_inv_002_no_free_text import PLACEHOLDER
from vardmote.policy.invitation_review import InvitationFinding, review_invitation
from vardmote.region.catalogue import ProfileCatalogue
from vardmote.region.schema import InvitationTemplate
from vardmote.region.tree import Sourced

PIN_PLACEHOLDER = "pin"
_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


class InvitationError(ValueError):
    """An invitation template that cannot be used or filled in (one line, naming the template)."""


class InvitationRefused(Exception):
    """The invitation checks found something: nothing is booked."""

    def __init__(self, what: str, findings: list[InvitationFinding]) -> None:
        self.what, self.findings = what, findings
        super().__init__(f"{what} refused by {', '.join(sorted({f.check_id for f in findings}))}")


@dataclass(frozen=True)
class Invitation:
    """A template chosen for a booking: its name (file name without .yaml) and the file as read."""

    name: str
    template: Sourced[InvitationTemplate]

    @property
    def placeholders(self) -> set[str]:
        model = self.template.model
        return {name for text in (model.subject, model.body) for name in PLACEHOLDER.findall(text)}


@dataclass(frozen=True)
class Message:
    """The message as 1177 would deliver it: subject and text (which carries the guest PIN, so it is kept
    out of the repr that logs and tracebacks show)."""

    subject: str
    body: str = field(repr=False)


def choose_invitation(catalogue: ProfileCatalogue, choice: str) -> Invitation:
    """A template by its name in device_profiles/invitations (sip-mote, vardbesok) or by its path."""
    if choice in catalogue.invitations:
        return Invitation(choice, catalogue.invitations[choice])
    path = Path(choice)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        known = ", ".join(sorted(catalogue.invitations))
        raise InvitationError(f"--invitation {choice!r}: no such template; known: {known} (or a path to a .yaml file)")
    document = load_sourced_yaml(path)  # raises ProblemsFound naming file and line
    return Invitation(path.stem, Sourced(validate_document(document, InvitationTemplate), document))


def review_template(invitation: Invitation, room_name: str) -> None:
    """The template as written, as `vardmote policy check` judges it, with the name of the room it is for
    (which carries the booking reference, and which participants see): raises InvitationRefused."""
    document = invitation.template.document
    file = display_path(document.path)
    fields = {**document.data, "room": room_name}
    findings = review_invitation(fields, name=file, file=file, lines=document.lines)
    if findings:
        raise InvitationRefused(f"invitation template {file}", findings)


def review_message(message: Message, room_name: str, what: str = "the rendered invitation") -> None:
    """The message, with the room's name, before anything is booked (raises InvitationRefused)."""
    findings = review_invitation({"subject": message.subject, "body": message.body, "room": room_name})
    if findings:
        raise InvitationRefused(what, findings)


def meeting_values(starts_at: datetime, link: str, support_phone: str) -> dict[str, str]:
    """The placeholders a booking fills in besides the PIN, in Swedish: "torsdag 3 december 2026", "10:00"."""
    weekday, month = _WEEKDAYS[starts_at.weekday()], _MONTHS[starts_at.month - 1]
    return {
        "meeting_date": f"{weekday} {starts_at.day} {month} {starts_at.year}",
        "meeting_time": starts_at.strftime("%H:%M"),
        "meeting_link": link,
        "support_phone": support_phone,
    }


def render(invitation: Invitation, values: Mapping[str, str]) -> Message:
    """Fill every {{ placeholder }} of the template; one without a value is an error, never left blank."""
    missing = sorted(invitation.placeholders - set(values))
    if missing:
        raise InvitationError(
            f"invitation {invitation.name}: nothing to fill {{{{ {missing[0]} }}}} with for this room"
        )

    def filled(text: str) -> str:
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)

    model = invitation.template.model
    return Message(filled(model.subject), filled(model.body).rstrip("\n"))
