"""What a platform stack tells the portal about the rooms it books: the exported `room_template`
(vardmote/platform/components/meeting_rooms.py), the web client's address, and the room defaults and
security settings of the stack's configuration that the template does not carry (PIN length, waiting
room, which identity providers the groups belong to).

The template is read from the stack's outputs as the offline preview gives them, so booking needs no
Pulumi engine. Offline, the identity-provider groups' URIs are not known yet ("[unknown]"): the
booking looks them up on the Management API by the identity provider they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.platform.config import PexipApi, PlatformConfig
from vardmote.platform.pexip.api_schema import field_errors

ROOM = "{room}"
# What the offline preview shows for a value known only once the stack is deployed (a group's URI).
UNKNOWN = "[unknown]"
GROUP_FIELDS = {
    "host_identity_provider_group": "host_identity_provider",
    "guest_identity_provider_group": "guest_identity_provider",
}


class RoomTemplateError(ValueError):
    """The stack's outputs do not hold a room template the portal can book from."""


@dataclass(frozen=True)
class StackRooms:
    stack: str
    conference: dict[str, Any]  # the fields every booked room's conference gets
    aliases: dict[str, str]  # kind (sip, web, phone) → the alias, with {room} for the room's number
    group_providers: dict[str, str]  # a group field whose URI is not known yet → its identity provider's name
    web_client_url: str
    min_pin_length: int
    host_pin: bool  # guests wait for a host (waiting room): the room has a host PIN, hosts sign in with it
    guest_pin: bool
    api: PexipApi | None  # where the stack's Management API is, as the stack configures it

    def alias(self, kind: str, number: str) -> str:
        return self.aliases[kind].replace(ROOM, number)


def rooms_of(stack: str, outputs: dict[str, Any], platform: PlatformConfig) -> StackRooms:
    """The stack's room template, checked: every conference field one the Management API accepts, every
    alias with the room's number in it, and a named identity provider behind every group not yet known."""
    template = outputs.get("room_template")
    if not isinstance(template, dict):
        raise RoomTemplateError(f"stack {stack}: exports no room_template (it has no Pexip Management API)")
    conference, aliases = template.get("conference"), template.get("aliases")
    if not isinstance(conference, dict) or not isinstance(aliases, dict) or not aliases:
        raise RoomTemplateError(f"stack {stack}: room_template needs a conference and its aliases")
    defaults = platform.portal.room_defaults
    group_providers: dict[str, str] = {}
    known: dict[str, Any] = {}
    for field, value in conference.items():
        if value == UNKNOWN and field in GROUP_FIELDS:
            provider = getattr(defaults, GROUP_FIELDS[field])
            if provider is None:
                raise RoomTemplateError(f"stack {stack}: room_template.conference.{field} has no identity provider")
            group_providers[field] = provider
        elif value is not None:
            known[field] = value
    for field, messages in field_errors("conference", known, creating=False).items():
        raise RoomTemplateError(f"stack {stack}: room_template.conference.{field}: {'; '.join(messages)}")
    for kind, alias in aliases.items():
        if not isinstance(alias, str) or ROOM not in alias:
            raise RoomTemplateError(f"stack {stack}: room_template.aliases.{kind}: {alias!r} has no {ROOM}")
    urls = outputs.get("urls")
    web_client = urls.get("web_client") if isinstance(urls, dict) else None
    if not isinstance(web_client, str) or not web_client.startswith("https://"):
        raise RoomTemplateError(f"stack {stack}: exports no urls.web_client to link the invitation to")
    return StackRooms(
        stack=stack,
        conference=known,
        aliases={str(kind): str(alias) for kind, alias in aliases.items()},
        group_providers=group_providers,
        web_client_url=web_client if web_client.endswith("/") else f"{web_client}/",
        min_pin_length=platform.security.min_pin_length,
        host_pin=defaults.guests_wait_for_host or defaults.guest_pin_required,
        guest_pin=defaults.guest_pin_required and bool(conference.get("allow_guests")),
        api=platform.pexip,
    )


def stack_rooms(project: Path, stack: str) -> StackRooms:
    """Run `stack`'s program offline and read its room template (raises ProblemsFound for a broken stack
    file, RoomTemplateError for a stack without rooms to book)."""
    from vardmote.platform.preview import run_stack_offline  # noqa: PLC0415 - the Pulumi SDK loads only here

    recording, stack_file = run_stack_offline(project, stack)
    return rooms_of(stack, recording.outputs, stack_file.platform())
