"""Booking a meeting room as staff do (routine 4.2.4 step 1), against the strict Management API stand-in
over TLS: the room and its aliases, PINs, waiting room and identity-provider groups; invitations the
checks flag are refused before anything is written; a half-made room is undone; a re-run finds its room."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import edit_stack
from tests.doubles.pexip_api import Fault, RunningApi
from vardmote.cli.app import app
from vardmote.core.problems import display_path
from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.core.validation import validate_document
from vardmote.platform.pexip.api import Connection, ManagementApi
from vardmote.platform.pexip.protocol import CONFIG_PATH
from vardmote.platform.stack_files import load_stack_file, project_dir
from vardmote.portal.booking import (
    PORTAL_TAG,
    Booking,
    BookingError,
    BookingRequest,
    carry_out,
    check_request,
    plan_booking,
)
from vardmote.portal.invitation import Invitation, InvitationRefused, choose_invitation
from vardmote.portal.pins import is_weak, room_pins
from vardmote.portal.stack_rooms import RoomTemplateError, StackRooms, rooms_of, stack_rooms
from vardmote.region.catalogue import ProfileCatalogue, load_catalogue
from vardmote.region.schema import InvitationTemplate
from vardmote.region.tree import Sourced

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
STARTS = datetime(2026, 12, 3, 10, 0, tzinfo=STOCKHOLM)
# The identity providers of Pulumi.rvn-prod.yaml, as its stack makes them on the Management API.
GUEST_IDP, HOST_IDP = "BankID (1177 e-tjänst)", "SITHS (personal)"


@pytest.fixture(scope="module")
def rooms() -> StackRooms:
    return stack_rooms(project_dir(), "rvn-prod")


@pytest.fixture(scope="module")
def catalogue() -> ProfileCatalogue:
    return load_catalogue()


@pytest.fixture
def groups(pexip: RunningApi) -> dict[str, str]:
    """The identity providers and their groups, as the platform stack leaves them (and a group of another
    provider, which a booking must not take)."""
    uris = {}
    for number, name in enumerate((GUEST_IDP, HOST_IDP, "Another broker"), 1):
        provider = pexip.state.add(
            "identity_provider",
            {
                "name": name,
                "uuid": f"00000000-0000-0000-0000-00000000000{number}",
                "assertion_consumer_service_url": "https://p/",
            },
        )
        group = pexip.state.add(
            "identity_provider_group", {"name": f"{name} sign-in", "identity_provider": [provider["resource_uri"]]}
        )
        uris[name] = group["resource_uri"]
    return uris


@pytest.fixture
def api(pexip: RunningApi, groups: dict[str, str]) -> Iterator[ManagementApi]:
    connection = Connection.from_inputs(pexip.connection(retries=1), pexip.state.password)
    with ManagementApi(connection, sleep=lambda _: None) as client:
        yield client


def request(catalogue: ProfileCatalogue, reference: str = "SIP-2026-0042", **changes: Any) -> BookingRequest:
    fields: dict[str, Any] = {
        "reference": reference,
        "starts_at": STARTS,
        "invitation": choose_invitation(catalogue, "sip-mote"),
        "support_phone": "+46 70 174 06 01",
        **changes,
    }
    return BookingRequest(**fields)


def book(api: ManagementApi, rooms: StackRooms, wanted: BookingRequest, **options: Any) -> Booking:
    """What `vardmote room book` does: check, plan, write."""
    check_request(wanted, rooms, NOW)
    return carry_out(api, plan_booking(api, rooms, wanted, **options))


def writes(pexip: RunningApi) -> list[tuple[str, str]]:
    return [(method, path) for method, path in pexip.state.requests if method in ("POST", "PATCH", "DELETE")]


def template_file(tmp_path: Path, **changes: str) -> Invitation:
    """The sip-mote template with some fields changed, as a file of its own."""
    base = load_sourced_yaml(project_dir() / "device_profiles" / "invitations" / "sip-mote.yaml").data
    lines = ["---"] + [
        f"{key}: {value!r}" if "\n" not in value else f"{key}: |\n  " + value.replace("\n", "\n  ")
        for key, value in {**base, **changes}.items()
    ]
    path = tmp_path / "changed.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = load_sourced_yaml(path)
    return Invitation("changed", Sourced(validate_document(document, InvitationTemplate), document))


# -- the room ---------------------------------------------------------------------------------------


def test_a_booked_room_has_the_templates_fields_and_its_three_aliases(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    booking = book(api, rooms, request(catalogue))
    assert booking.status == "booked"
    [conference] = pexip.state.find("conference")
    assert booking.uri == conference["resource_uri"]
    expected = {
        "name": "Vårdmöte SIP-2026-0042",
        "tag": PORTAL_TAG,
        "service_type": "conference",
        "allow_guests": True,
        "participant_limit": 10,
        "enable_chat": "no",
        "guests_can_present": False,
        "crypto_mode": "on",
    }
    assert {key: conference[key] for key in expected} == expected
    number = booking.plan.number
    assert len(number) == 6
    assert number.isdigit()
    aliases = {alias["alias"]: alias["conference"] for alias in pexip.state.find("conference_alias")}
    assert aliases == {
        f"{number}@video.rvn.example": conference["resource_uri"],
        number: conference["resource_uri"],
        f"+46606000{number}": conference["resource_uri"],
    }
    read_back = api.get(conference["resource_uri"])
    assert sorted(alias["alias"] for alias in read_back["aliases"]) == sorted(aliases)


def test_the_pins_are_write_only_and_guests_wait_for_the_host(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    booking = book(api, rooms, request(catalogue))
    pins = booking.plan.pins
    assert pins is not None
    assert pins.host
    assert pins.guest
    [stored] = pexip.state.find("conference")
    # The API holds both PINs (a host PIN with guests allowed is Pexip's waiting room) ...
    assert (stored["pin"], stored["guest_pin"]) == (pins.host, pins.guest)
    assert stored["allow_guests"] is True
    assert pins.host != pins.guest
    assert len(pins.guest) >= rooms.min_pin_length >= 6
    # ... and never shows them again.
    read_back = api.get(str(booking.uri))
    assert (read_back["pin"], read_back["guest_pin"]) == (None, None)
    # The guest PIN goes to the guests in the invitation; the host PIN is not in it.
    assert booking.plan.message is not None
    assert f"PIN-kod för att komma in i mötet: {pins.guest}" in booking.plan.message.body
    assert pins.host not in booking.plan.message.body
    assert pins.host not in repr(booking)
    assert pins.guest not in repr(booking)


def test_hosts_sign_in_with_siths_and_guests_with_bankid(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue, groups: dict[str, str]
) -> None:
    book(api, rooms, request(catalogue))
    [conference] = pexip.state.find("conference")
    assert conference["host_identity_provider_group"] == groups[HOST_IDP]
    assert conference["guest_identity_provider_group"] == groups[GUEST_IDP]


def test_a_missing_identity_provider_group_stops_the_booking_before_any_write(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    [group] = pexip.state.find("identity_provider_group", name=f"{HOST_IDP} sign-in")
    pexip.state.delete("identity_provider_group", group["id"])
    with pytest.raises(BookingError, match=r"host_identity_provider_group: one identity-provider group must hold"):
        book(api, rooms, request(catalogue))
    assert writes(pexip) == []


def test_the_invitation_links_to_the_rooms_web_alias_in_swedish(
    api: ManagementApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    booking = book(api, rooms, request(catalogue))
    message = booking.plan.message
    assert message is not None
    assert message.subject == "Klicka här för att delta i ditt bokade SIP-möte"
    assert f"https://videoportal.rvn.example/webapp/m/{booking.plan.number}" in message.body
    assert "Datum: torsdag 3 december 2026" in message.body
    assert "Tid: 10:00" in message.body
    assert "Ring +46 70 174 06 01." in message.body
    assert "{{" not in message.body


# -- refused before anything is written ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"body": "Du är inbjuden.\n\nPatient 19121212-1212\n{{ meeting_link }}\n{{ pin }}\n"}, "VM-INV-001"),
        ({"body": "Hej {{ patient_name }}!\n{{ meeting_link }}\n{{ pin }}\n"}, "VM-INV-002"),
        ({"body": "Välkommen till diabetesmottagningen.\n{{ meeting_link }}\n{{ pin }}\n"}, "VM-INV-003"),
        ({"subject": "Ditt återbesök hos oss"}, "VM-INV-004"),
        ({"body": "Till Anna Andersson, Storgatan 12.\n{{ meeting_link }}\n{{ pin }}\n"}, "VM-INV-005"),
    ],
    ids=["personnummer", "free-text", "health-term", "subject", "name-with-address"],
)
def test_an_invitation_the_checks_flag_is_refused_with_the_checks_id_and_nothing_is_made(
    api: ManagementApi,
    pexip: RunningApi,
    *,
    rooms: StackRooms,
    catalogue: ProfileCatalogue,
    tmp_path: Path,
    changes: dict[str, str],
    check_id: str,
) -> None:
    invitation = template_file(tmp_path, **changes)
    with pytest.raises(InvitationRefused) as refused:
        book(api, rooms, request(catalogue, invitation=invitation))
    assert {finding.check_id for finding in refused.value.findings} == {check_id}
    assert str(refused.value) == f"invitation template {display_path(invitation.template.path)} refused by {check_id}"
    assert pexip.state.find("conference") == []
    assert pexip.state.find("conference_alias") == []
    assert writes(pexip) == []


def test_a_personnummer_as_booking_reference_is_refused_before_the_api_is_asked(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    with pytest.raises(BookingError) as refused:
        book(api, rooms, request(catalogue, reference="19121212-1212"))
    # The reference is blamed, not the template it was checked with.
    said = str(refused.value)
    assert said.startswith("booking reference: the room's name it makes contains a personnummer")
    assert "never a personnummer" in said
    assert "1212" not in said  # personal data is never repeated, not even back to whoever typed it
    assert pexip.state.requests == []


def test_what_the_booking_fills_in_is_judged_too(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    # The template is clean; the message rendered from it is not.
    with pytest.raises(InvitationRefused) as refused:
        book(api, rooms, request(catalogue, support_phone="diabetesmottagningen, 060-18 50 00"))
    assert {finding.check_id for finding in refused.value.findings} == {"VM-INV-003"}
    assert refused.value.what == "the rendered invitation"
    assert writes(pexip) == []


def test_a_template_without_the_guest_pin_is_refused(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue, tmp_path: Path
) -> None:
    invitation = template_file(tmp_path, body="Du är inbjuden.\n\n{{ meeting_link }}\n")
    with pytest.raises(BookingError, match=r"^invitation changed: has no \{\{ pin \}\}"):
        book(api, rooms, request(catalogue, invitation=invitation))
    assert pexip.state.requests == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "a b"}, r"^booking reference 'a b': 3 to 40 letters"),
        ({"starts_at": NOW - timedelta(minutes=1)}, r"^meeting time 2026-12-01T08:59\+01:00: is in the past$"),
        ({"starts_at": datetime(2026, 12, 3, 10, 0)}, r"^meeting time 2026-12-03T10:00:00: needs a time zone$"),
    ],
    ids=["reference", "past", "naive-time"],
)
def test_bad_input_is_one_line_naming_the_value_and_nothing_is_asked(
    api: ManagementApi,
    pexip: RunningApi,
    *,
    rooms: StackRooms,
    catalogue: ProfileCatalogue,
    changes: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(BookingError, match=message):
        book(api, rooms, request(catalogue, **changes))
    assert pexip.state.requests == []


# -- half-way failures and re-runs ----------------------------------------------------------------------


def test_an_api_down_on_the_alias_leaves_no_half_made_room(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    pexip.state.faults.append(Fault("POST", f"{CONFIG_PATH}conference_alias/", 503, times=99))
    with pytest.raises(BookingError, match=r"HTTP 503.*what this run made is deleted") as failed:
        book(api, rooms, request(catalogue))
    assert "\n" not in str(failed.value)
    assert ("POST", f"{CONFIG_PATH}conference/") in writes(pexip)  # it was made, then undone
    assert pexip.state.find("conference") == []
    assert pexip.state.find("conference_alias") == []


def test_a_failure_after_the_first_alias_deletes_that_alias_and_the_room(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    plan = plan_booking(api, rooms, request(catalogue))
    # Another booking takes the second alias between the plan and the write: the API refuses it.
    other = pexip.state.add("conference", {"name": "Another room"})
    second = list(plan.aliases.values())[1]
    pexip.state.add("conference_alias", {"alias": second, "conference": other["resource_uri"]})
    with pytest.raises(BookingError, match=r"HTTP 400"):
        carry_out(api, plan)
    assert [c["name"] for c in pexip.state.find("conference")] == ["Another room"]
    assert [a["alias"] for a in pexip.state.find("conference_alias")] == [second]


def test_a_re_run_of_the_same_booking_finds_its_room_and_makes_no_second(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    first = book(api, rooms, request(catalogue))
    before = len(pexip.state.requests)
    again = book(api, rooms, request(catalogue))
    assert again.status == "already booked"
    assert again.uri == first.uri
    assert again.plan.number == first.plan.number
    assert len(pexip.state.find("conference")) == 1
    assert len(pexip.state.find("conference_alias")) == 3
    assert [r for r in pexip.state.requests[before:] if r[0] != "GET"] == []
    # The PINs cannot be read back, so a re-run neither shows nor changes them.
    assert again.plan.pins is None
    assert again.plan.message is None
    [stored] = pexip.state.find("conference")
    assert first.plan.pins is not None
    assert stored["guest_pin"] == first.plan.pins.guest


def test_a_re_run_with_new_pins_sets_them_and_gives_a_new_invitation(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    first = book(api, rooms, request(catalogue))
    again = book(api, rooms, request(catalogue), new_pins=True)
    assert again.status == "finished"
    assert len(pexip.state.find("conference")) == 1
    [stored] = pexip.state.find("conference")
    assert again.plan.pins is not None
    assert first.plan.pins is not None
    assert stored["guest_pin"] == again.plan.pins.guest != first.plan.pins.guest
    assert again.plan.message is not None
    assert f"mötet: {again.plan.pins.guest}" in again.plan.message.body


def test_a_re_run_finishes_a_room_left_half_made(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    first = book(api, rooms, request(catalogue))
    phone = next(a for a in pexip.state.find("conference_alias") if a["alias"].startswith("+"))
    pexip.state.delete("conference_alias", phone["id"])
    again = book(api, rooms, request(catalogue))
    assert again.status == "finished"
    assert again.plan.missing_aliases == ["phone"]
    assert again.plan.number == first.plan.number
    assert sorted(a["alias"] for a in pexip.state.find("conference_alias")) == sorted(first.plan.aliases.values())


def test_a_room_the_portal_did_not_book_is_never_taken_over(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    pexip.state.add("conference", {"name": "Vårdmöte SIP-2026-0042"})
    with pytest.raises(BookingError, match=r"exists that the portal did not book"):
        book(api, rooms, request(catalogue))
    assert writes(pexip) == []


def test_the_same_reference_at_another_time_is_refused(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    book(api, rooms, request(catalogue))
    before = len(writes(pexip))
    with pytest.raises(BookingError, match=r"exists with another time"):
        book(api, rooms, request(catalogue, starts_at=STARTS + timedelta(hours=1)))
    assert len(writes(pexip)) == before


def test_a_taken_room_number_is_passed_over(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    planned = plan_booking(api, rooms, request(catalogue)).number
    other = pexip.state.add("conference", {"name": "Another room"})
    pexip.state.add("conference_alias", {"alias": planned, "conference": other["resource_uri"]})
    booking = book(api, rooms, request(catalogue))
    assert booking.plan.number != planned


def test_a_field_the_api_would_refuse_stops_the_booking_before_the_first_write(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    too_many = replace(rooms, conference={**rooms.conference, "participant_limit": 2_000_000})
    with pytest.raises(BookingError, match=r"^conference.participant_limit = 2000000: 2000000 is above the maximum"):
        book(api, too_many, request(catalogue))
    assert writes(pexip) == []


def test_a_room_template_with_a_field_the_api_lacks_is_refused(rooms: StackRooms) -> None:
    outputs = {
        "room_template": {"conference": {"waiting_room": True}, "aliases": {"web": "{room}"}},
        "urls": {"web_client": "https://portal.example/webapp/"},
    }
    platform = load_stack_file(project_dir(), "rvn-prod").platform()
    with pytest.raises(
        RoomTemplateError, match=r"room_template.conference.waiting_room: 'waiting_room' is not a field"
    ):
        rooms_of("rvn-prod", outputs, platform)


# -- the PINs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["111111", "123456", "987654", "890123", "000000"])
def test_a_repeated_digit_or_a_run_is_a_weak_pin(pin: str) -> None:
    assert is_weak(pin)


@pytest.mark.parametrize("pin", ["482913", "112233", "135791"])
def test_other_pins_are_not_weak(pin: str) -> None:
    assert not is_weak(pin)


def test_a_weak_draw_is_drawn_again_and_the_two_pins_differ() -> None:
    # randbelow gives 1,2,3,4,5,6 (a run, drawn again), then 4,8,2,9,1,3 twice (the guest PIN may not be
    # the host's), then 5,0,7,3,9,2.
    digits = iter([1, 2, 3, 4, 5, 6, 4, 8, 2, 9, 1, 3, 4, 8, 2, 9, 1, 3, 5, 0, 7, 3, 9, 2])
    pins = room_pins(4, host=True, guest=True, randbelow=lambda _: next(digits))
    assert (pins.host, pins.guest) == ("482913", "507392")
    assert "482913" not in repr(pins)


# -- the command ---------------------------------------------------------------------------------------------

runner = CliRunner()


def room_book(pexip: RunningApi, *args: str, password: str | None = None) -> Result:
    api = ["--api-url", pexip.url, "--api-ca", str(pexip.ca_file), "--api-username", pexip.state.username]
    env = {"VARDMOTE_PEXIP_PASSWORD": password if password is not None else pexip.state.password}
    return runner.invoke(app, ["room", "book", *args, *api], env=env)


MEETING = ["SIP-2026-0042", "--stack", "rvn-prod", "--at", "2031-12-03 10:00", "--invitation", "sip-mote"]


def test_a_dry_run_prints_the_room_its_aliases_and_the_message_and_writes_nothing(
    pexip: RunningApi, groups: dict[str, str]
) -> None:
    result = room_book(pexip, *MEETING, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: would book room" in result.stdout
    assert "hosts sign in with: SITHS (personal); guests with: BankID (1177 e-tjänst)" in result.stdout
    assert "waiting room: on (guests wait until a host has joined)" in result.stdout
    assert "@video.rvn.example" in result.stdout
    assert "+46606000" in result.stdout
    assert "Ämne: Klicka här för att delta i ditt bokade SIP-möte" in result.stdout
    assert "Datum: onsdag 3 december 2031" in result.stdout
    assert "PIN-kod för att komma in i mötet: ••••••" in result.stdout
    assert writes(pexip) == []


def test_the_command_books_and_shows_the_pins_once_to_the_booker(pexip: RunningApi, groups: dict[str, str]) -> None:
    result = room_book(pexip, *MEETING)
    assert result.exit_code == 0, result.output
    [stored] = pexip.state.find("conference")
    assert f"värd-PIN (host PIN, for you only): {stored['pin']}" in result.stdout
    assert f"PIN-kod för att komma in i mötet: {stored['guest_pin']}" in result.stdout
    assert stored["pin"] not in result.stderr
    assert stored["guest_pin"] not in result.stderr
    again = room_book(pexip, *MEETING)
    assert again.exit_code == 0
    assert "is already booked; nothing to change" in again.stdout
    assert stored["guest_pin"] not in again.stdout
    assert len(pexip.state.find("conference")) == 1
    assert "no longer lets guests in" not in again.stdout
    renewed = room_book(pexip, *MEETING, "--new-pins")
    assert renewed.exit_code == 0, renewed.output
    assert "new PINs: the invitation sent before no longer lets guests in" in renewed.stdout
    phone = next(a for a in pexip.state.find("conference_alias") if a["alias"].startswith("+"))
    pexip.state.delete("conference_alias", phone["id"])
    finished = room_book(pexip, *MEETING)
    assert "was booked before; finished" in finished.stdout
    assert "aliases added: phone; fields set: none" in finished.stdout


@pytest.mark.parametrize(
    ("municipality", "phone"),
    [("Sundsvall", "+46 70 174 06 11"), ("Kramfors", "+46 70 174 06 01")],
    ids=["alt2-own-kit", "alt1-region-kit"],
)
def test_the_invitation_gives_whoever_supports_the_patients_kit(
    pexip: RunningApi, groups: dict[str, str], municipality: str, phone: str
) -> None:
    # Routine 5.2: Sundsvall owns its kits (Alt 2) and supports them; Kramfors rents the region's (Alt 1).
    result = room_book(pexip, *MEETING, "--municipality", municipality, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Ring {phone}." in result.stdout


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--at", "tomorrow"], "error: --at 'tomorrow': not a time such as 2026-12-03 10:00"),
        (
            ["--at", "2036-12-03"],
            "error: --at '2036-12-03': a date without a time of day; give both, such as 2036-12-03 10:00",
        ),
        (["--at", "2020-01-01 10:00"], "error: meeting time 2020-01-01T10:00+01:00: is in the past"),
        (["--invitation", "nope"], "error: --invitation 'nope': no such template; known: sip-mote, vardbesok"),
        (["--municipality", "Gotland"], "error: unknown municipality 'Gotland'"),
        (["--stack", "nope"], "error: no stack 'nope' in "),
        (["--at", "2036-03-30 02:30"], "error: --at '2036-03-30 02:30': no such time in Sweden"),
        (
            ["--at", "2036-10-26 02:30"],
            "error: --at '2036-10-26 02:30': happens twice in Sweden (the clocks go back an hour that night); "
            "give the offset, such as 2036-10-26 02:30+02:00 (summer time) or 2036-10-26 02:30+01:00",
        ),
    ],
    ids=["time", "date-only", "past", "template", "municipality", "stack", "spring-forward", "fall-back"],
)
def test_bad_input_is_one_clear_line_and_nothing_is_asked_of_the_api(
    pexip: RunningApi, args: list[str], error: str
) -> None:
    result = room_book(pexip, *MEETING, *args)
    assert result.exit_code == 1
    assert error in result.output.splitlines()[0]
    assert pexip.state.requests == []


def test_a_broken_stack_file_is_reported_on_stderr_and_nothing_is_asked_of_the_api(
    pexip: RunningApi, project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_stack(project_copy, "rvn-prod", "config:\n", "config:\n  vardmote:platfrom: {}\n")
    monkeypatch.setenv("VARDMOTE_PROJECT_DIR", str(project_copy))
    result = room_book(pexip, *MEETING)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Pulumi.rvn-prod.yaml:" in result.stderr.splitlines()[0]
    assert "did you mean vardmote:platform?" in result.stderr.splitlines()[0]
    assert pexip.state.requests == []


def test_without_the_password_in_the_environment_the_command_says_which_variable(pexip: RunningApi) -> None:
    result = room_book(pexip, *MEETING, password="")
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == "error: VARDMOTE_PEXIP_PASSWORD is not set: export the Management API password in it"
    )
    assert pexip.state.requests == []


def test_a_re_run_sets_back_a_field_that_drifted_from_the_template(
    api: ManagementApi, pexip: RunningApi, rooms: StackRooms, catalogue: ProfileCatalogue
) -> None:
    book(api, rooms, request(catalogue))
    [stored] = pexip.state.find("conference")
    stored["participant_limit"] = 50
    again = book(api, rooms, request(catalogue))
    assert again.status == "finished"
    assert again.plan.drift == {"participant_limit": 10}
    assert pexip.state.find("conference")[0]["participant_limit"] == 10


def test_a_ca_bundle_the_stack_names_but_this_machine_lacks_is_named_with_its_setting(pexip: RunningApi) -> None:
    env = {"VARDMOTE_PEXIP_PASSWORD": pexip.state.password}
    result = runner.invoke(app, ["room", "book", *MEETING, "--api-url", pexip.url, "--dry-run"], env=env)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "(the stack's vardmote:platform.pexip.ca_bundle, or give --api-ca): no such file" in line
    assert pexip.state.requests == []


def test_a_password_given_where_its_variable_s_name_belongs_is_refused_and_never_echoed(pexip: RunningApi) -> None:
    result = room_book(pexip, *MEETING, "--password-env", "hunter2-Secret!")
    assert result.exit_code == 1
    assert "--password-env: give the name of the environment variable" in result.output
    assert "hunter2-Secret!" not in result.output
    assert pexip.state.requests == []
