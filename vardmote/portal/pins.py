"""A booked room's PINs: drawn at random for each meeting, never stored, logged or shown but to the
booker (the host PIN) and in the invitation (the guest PIN).

In Pexip a room with a host PIN and guests allowed keeps guests waiting until a host has joined (the
waiting room, routine 3.3 and 4.2.3); the guest PIN is then what tells a guest from a host. Both PINs
have the same length, so neither needs a closing `#` on a phone, and differ, as Pexip requires. A PIN
that is one digit repeated or a run (123456, 987654) is drawn again: it is the first one guessed, and
Pexip's PIN checks (`bdpm_pin_checks_enabled`) refuse it.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

# Routine-level floor whatever the stack's min_pin_length says (VM-PLAT-007 asks for 6).
MIN_PIN_LENGTH = 6
MAX_PIN_LENGTH = 20  # the Management API's limit for pin and guest_pin


@dataclass(frozen=True)
class RoomPins:
    # repr=False: a PIN never reaches a log line or a traceback through this object's repr.
    host: str | None = field(repr=False)
    guest: str | None = field(repr=False)

    def fields(self) -> dict[str, str]:
        """The conference fields that set these PINs (write-only on the API: they read back as null)."""
        return {name: value for name, value in (("pin", self.host), ("guest_pin", self.guest)) if value}


def is_weak(pin: str) -> bool:
    """One digit repeated, or a run up or down (wrapping 9 to 0 counts as a run too)."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return len(steps) == 1 and steps <= {0, 1, 9}


def draw_pin(length: int, randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    while True:
        pin = "".join(str(randbelow(10)) for _ in range(length))
        if not is_weak(pin):
            return pin


def room_pins(
    min_length: int, *, host: bool, guest: bool, randbelow: Callable[[int], int] = secrets.randbelow
) -> RoomPins:
    """A host PIN and a guest PIN, as the room needs them, of at least `min_length` digits (and 6)."""
    length = min(max(min_length, MIN_PIN_LENGTH), MAX_PIN_LENGTH)
    host_pin = draw_pin(length, randbelow) if host or guest else None
    guest_pin = None
    while guest and (guest_pin is None or guest_pin == host_pin):
        guest_pin = draw_pin(length, randbelow)
    return RoomPins(host_pin, guest_pin)
