"""The virtual meeting rooms as the portal books them (routine 4.2.4): the room's settings, its
aliases, and who signs in where. Staff host through SITHS, patients and relatives join through
BankID; phones dial the room's own number, which is one of its aliases (no gateway rule is needed
to reach a room).

The program declares one standing room, the test call that regional IT and the lab dial to prove the
platform end to end, and exports the template every booked room follows (`room_template`): the
portal creates each meeting's room from it on the Management API, with that meeting's PINs.
"""

from __future__ import annotations

from typing import Any

import pulumi

from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext, resource_name
from vardmote.platform.components.platform_settings import PlatformSettings
from vardmote.platform.pexip.resources import Conference, ConferenceAlias

TEST_CALL_ROOM = "Testsamtal"


class MeetingRooms(pulumi.ComponentResource):
    template: dict[str, Any]

    def __init__(
        self, context: PlatformContext, settings: PlatformSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{TYPE_PREFIX}:MeetingRooms", "meeting-rooms", None, context.under_root(opts))
        assert context.pexip is not None
        config = context.config
        defaults = config.portal.room_defaults
        groups = settings.identity_provider_groups
        self.template = {
            "conference": {
                "service_type": "conference",
                "allow_guests": defaults.allow_guests,
                "participant_limit": defaults.participant_limit,
                "enable_chat": "yes" if defaults.enable_chat else "no",
                "guests_can_present": defaults.guests_can_present,
                "crypto_mode": config.security.crypto_mode,
                "host_identity_provider_group": groups.get(defaults.host_identity_provider or ""),
                "guest_identity_provider_group": groups.get(defaults.guest_identity_provider or ""),
            },
            # {room} is the room's number, given by the portal when it books the meeting.
            "aliases": {
                "sip": f"{{room}}@{config.domain}",
                "web": "{room}",
                **({"phone": f"{defaults.phone_dial_in_prefix}{{room}}"} if defaults.phone_dial_in_prefix else {}),
            },
        }
        room = Conference(
            resource_name("room", TEST_CALL_ROOM),
            context.pexip.connection,
            {
                "name": TEST_CALL_ROOM,
                "description": "Test call: dial it to check your camera, microphone and connection",
                "service_type": "test_call",
                "call_type": "video",
                "crypto_mode": config.security.crypto_mode,
            },
            opts=context.pexip.options(self),
        )
        for alias in (f"test@{config.domain}", "test"):
            ConferenceAlias(
                resource_name("alias", alias),
                context.pexip.connection,
                {"alias": alias, "conference": room.uri, "description": "The test call"},
                opts=context.pexip.options(self),
            )
        self.register_outputs({})
