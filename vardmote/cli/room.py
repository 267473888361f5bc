"""`vardmote room`: the meeting rooms staff book in the video portal (routine 4.2.4)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from vardmote.cli.catalogue_option import ProfilesDir, load_or_exit
from vardmote.cli.console import console, error_console, fail, print_problems
from vardmote.cli.responsibilities import matrix_of
from vardmote.cli.stack_option import project_of_stack
from vardmote.core.problems import ProblemsFound

if TYPE_CHECKING:
    from vardmote.platform.pexip.api import Connection
    from vardmote.portal.booking import Booking, RoomPlan
    from vardmote.portal.stack_rooms import StackRooms

REGION_TIME_ZONE = ZoneInfo("Europe/Stockholm")
DEFAULT_PASSWORD_ENV = "VARDMOTE_PEXIP_PASSWORD"

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Book the meeting rooms of digital care meetings, as staff do in the video portal (routine 4.2.4).",
    epilog=(
        "Before a meeting:  \n"
        '`vardmote room book REFERENCE --stack STACK --at "YYYY-MM-DD HH:MM" --invitation sip-mote --dry-run`, '
        "then the same without `--dry-run` (the password from VARDMOTE_PEXIP_PASSWORD); "
        "`vardmote room readiness-link --stack STACK --secret-file FILE` for the technician's check in the "
        "patient's home. docs/portal.md has the whole routine."
    ),
    no_args_is_help=True,
)


def _meeting_time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at {text!r}: not a time such as 2026-12-03 10:00")
        raise typer.Exit(1) from None
    if ":" not in text and "T" not in text.upper():
        # A date alone would be a meeting at midnight, and the invitation would say so.
        fail(f"--at {text!r}: a date without a time of day; give both, such as {text.strip()} 10:00")
        raise typer.Exit(1)
    return parsed if parsed.tzinfo is not None else _swedish_time(text, parsed)


def _swedish_time(text: str, wall_clock: datetime) -> datetime:
    """A wall-clock time in Sweden, refusing the hour that does not exist when the clocks go forward
    and the hour that happens twice when they go back (the invitation would be an hour wrong)."""
    local = wall_clock.replace(tzinfo=REGION_TIME_ZONE)
    round_trip = local.astimezone(UTC).astimezone(REGION_TIME_ZONE).replace(tzinfo=None)
    if round_trip != wall_clock:
        fail(f"--at {text!r}: no such time in Sweden (the clocks go forward an hour that night); pick another")
        raise typer.Exit(1)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        fail(
            f"--at {text!r}: happens twice in Sweden (the clocks go back an hour that night); give the offset, "
            f"such as {text.strip()}+02:00 (summer time) or {text.strip()}+01:00"
        )
        raise typer.Exit(1)
    return local


@app.command()
def book(
    reference: Annotated[
        str,
        typer.Argument(
            help="The booking's reference in your booking system (letters, digits, dashes; never a personnummer). "
            "It names the room: booking it again finds the same room.",
            show_default=False,
        ),
    ],
    stack: Annotated[
        str,
        typer.Option(
            "--stack", "-s", help="The platform stack whose room template the room follows.", show_default=False
        ),
    ],
    at: Annotated[
        str,
        typer.Option(
            "--at",
            help="When the meeting starts: 2026-12-03 10:00 (Swedish time unless an offset is given).",
            show_default=False,
        ),
    ],
    invitation: Annotated[
        str,
        typer.Option(
            "--invitation",
            "-i",
            help="The invitation template: a name in device_profiles/invitations (sip-mote, vardbesok) or a path.",
            show_default=False,
        ),
    ],
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            "-m",
            help="The patient's kommun, when a kit is in the home: the invitation gives the number of whoever "
            "supports that kit (routine 5.2). Default: the region's service desk.",
            show_default=False,
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url", help="The Management API. Default: the stack's pexip.management_url.", show_default=False
        ),
    ] = None,
    api_ca: Annotated[
        Path | None,
        typer.Option(
            "--api-ca",
            help="PEM file of the CA that signed the Management Node. Default: the stack's pexip.ca_bundle.",
            show_default=False,
        ),
    ] = None,
    api_username: Annotated[
        str | None,
        typer.Option(
            "--api-username", help="The API account. Default: the stack's pexip.username.", show_default=False
        ),
    ] = None,
    password_env: Annotated[
        str,
        typer.Option("--password-env", help="The environment variable that holds the API account's password."),
    ] = DEFAULT_PASSWORD_ENV,
    new_pins: Annotated[
        bool,
        typer.Option(
            "--new-pins",
            help="For a room already booked: set new PINs and print a new invitation (the one sent before stops "
            "letting guests in).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan (room, aliases, invitation) and write nothing.")
    ] = False,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Book a meeting room (videomötesrum) and print the invitation to send through 1177.

    Step 1 of routine 4.2.4: the room is made on the platform's Management API from the stack's room
    template: its aliases (`<room>@<domain>` for SIP and the web client, `<prefix><room>` for phones),
    a host PIN and a guest PIN drawn for this meeting, the waiting room (guests wait until a host has
    joined) and the identity-provider groups (SITHS for staff hosting, BankID for patients and relatives).
    The invitation is filled from a neutral template; the booking is refused, and nothing written, if the
    invitation checks (VM-INV-001..005) find anything in the template or in the message it makes.

    The PINs are shown once, here, and never stored: the host PIN for you, the guest PIN inside the
    invitation. Booking the same reference again finds its room and finishes it rather than make a second;
    a booking that fails half-way deletes what it made. The password comes from the environment
    (`--password-env`, default VARDMOTE_PEXIP_PASSWORD), never the command line.

    Examples:

        vardmote room book SIP-2026-0042 --stack rvn-prod --at "2026-12-03 10:00" --invitation sip-mote --dry-run

        VARDMOTE_PEXIP_PASSWORD=… vardmote room book SIP-2026-0042 --stack rvn-prod --at "2026-12-03 10:00" -i sip-mote
    """
    from vardmote.platform.pexip.api import ManagementApi
    from vardmote.platform.pexip.protocol import PexipApiError
    from vardmote.portal.booking import BookingError, BookingRequest, carry_out, check_request, plan_booking
    from vardmote.portal.invitation import InvitationError, InvitationRefused, choose_invitation
    from vardmote.portal.stack_rooms import RoomTemplateError, stack_rooms

    starts_at = _meeting_time(at)
    catalogue = load_or_exit(profiles_dir)
    try:
        chosen = choose_invitation(catalogue, invitation)
        support = catalogue.region.model.support_desk
        if municipality is not None:
            _, found = catalogue.find_municipality(municipality)
            support = matrix_of(catalogue).support_contact(found)
        rooms = stack_rooms(project_of_stack(stack), stack)
        request = BookingRequest(reference, starts_at, chosen, support.phone)
        check_request(request, rooms, datetime.now(REGION_TIME_ZONE))
        connection = _connection(rooms, api_url, api_ca, api_username, password_env)
        with ManagementApi(connection) as api:
            plan = plan_booking(api, rooms, request, new_pins=new_pins)
            if dry_run:
                _print_plan(plan, rooms)
                return
            booking = carry_out(api, plan)
    except ProblemsFound as found_problems:
        print_problems(found_problems.problems, stderr=True)
        error_console.print("[bold red]✗[/] fix the file above and book again; nothing was written")
        raise typer.Exit(1) from None
    except InvitationRefused as refused:
        for finding in refused.findings:
            fail(f"{refused.what}: {finding}")
        error_console.print(f"[bold red]✗[/] {refused}: nothing was booked")
        raise typer.Exit(1) from None
    except (BookingError, InvitationError, RoomTemplateError, PexipApiError, LookupError, OSError) as err:
        fail(str(err))
        raise typer.Exit(1) from None
    _print_booking(booking, rooms)


def _password(variable: str) -> str:
    from vardmote.core.secret_variables import NotAVariableName, checked_variable_name

    try:
        checked_variable_name("--password-env", variable)
    except NotAVariableName as err:
        raise ApiSettingError(str(err)) from None
    password = os.environ.get(variable, "")
    if not password:
        raise ApiSettingError(f"{variable} is not set: export the Management API password in it")
    return password


class ApiSettingError(LookupError):
    """How to reach the Management API is missing or wrong (its address, account, CA or password)."""


def _connection(
    rooms: StackRooms, url: str | None, ca: Path | None, username: str | None, password_env: str
) -> Connection:
    """How to reach the Management API: the options, else the stack's pexip settings; the password from
    the environment."""
    from vardmote.platform.pexip.api import Connection

    configured = rooms.api
    url = url or (configured.management_url if configured else None)
    username = username or (configured.username if configured else None)
    if not url or not url.startswith("https://"):
        raise ApiSettingError(f"--api-url {url!r}: the Management API's https:// address is needed")
    if not username:
        raise ApiSettingError("--api-username: the stack names no API account; give one")
    ca_file = str(ca) if ca else (configured.ca_bundle if configured else None)
    if ca_file is not None and not Path(ca_file).is_file():
        if ca:
            raise ApiSettingError(f"--api-ca {ca_file}: no such file")
        hint = "; for the lab stack, `vardmote lab up` publishes it" if rooms.stack == "lab" else ""
        raise ApiSettingError(
            f"{ca_file} (the stack's vardmote:platform.pexip.ca_bundle, or give --api-ca): no such file{hint}"
        )
    return Connection(url=url, username=username, password=_password(password_env), ca_bundle=ca_file)


def _print_room(plan: RoomPlan, rooms: StackRooms) -> None:
    console.print(f"  room: {plan.conference['name']} (nummer {plan.number})", markup=False)
    for kind, alias in plan.aliases.items():
        console.print(f"  {kind} alias: {alias}", markup=False)
    console.print(f"  hosts sign in with: {plan.sign_in['hosts']}; guests with: {plan.sign_in['guests']}", markup=False)
    if rooms.host_pin:
        console.print("  waiting room: on (guests wait until a host has joined)")


def _print_message(subject: str, body: str) -> None:
    console.rule("the invitation to send through 1177")
    console.print(f"Ämne: {subject}\n\n{body}", markup=False)
    console.rule()


def _print_plan(plan: RoomPlan, rooms: StackRooms) -> None:
    from vardmote.portal.booking import masked_message

    action = "would finish" if plan.existing else "would book"
    console.print(f"[bold]Dry run:[/] {action} room {plan.number} on stack {rooms.stack}; nothing is written")
    _print_room(plan, rooms)
    if plan.existing:
        missing = ", ".join(plan.missing_aliases) or "none"
        console.print(f"  already booked; aliases to add: {missing}; fields to set: {', '.join(plan.drift) or 'none'}")
    message = masked_message(plan)
    if message is not None:
        _print_message(message.subject, message.body)
        console.print("  the PINs are drawn when the room is booked (•••••• stands for the guest PIN)")


def _print_booking(booking: Booking, rooms: StackRooms) -> None:
    plan = booking.plan
    headline = {
        "booked": "booked",
        "finished": "was booked before; finished",
        "already booked": "is already booked; nothing to change",
    }.get(booking.status, booking.status)
    console.print(f"[bold green]✓[/] room {plan.number} for {plan.request.reference} {headline} on stack {rooms.stack}")
    if booking.status == "finished" and (plan.missing_aliases or plan.drift):
        added = ", ".join(plan.missing_aliases) or "none"
        console.print(f"  aliases added: {added}; fields set: {', '.join(sorted(plan.drift)) or 'none'}", markup=False)
    _print_room(plan, rooms)
    if plan.pins and plan.pins.host:
        console.print(f"  värd-PIN (host PIN, for you only): {plan.pins.host}", markup=False)
    if plan.message is not None:
        _print_message(plan.message.subject, plan.message.body)
        if plan.existing is not None:
            console.print(
                "  new PINs: the invitation sent before no longer lets guests in; send this one through 1177 instead"
            )
    elif booking.status != "booked":
        console.print(
            "  its PINs were shown when it was booked and cannot be read back: `--new-pins` sets new ones and "
            "prints a new invitation"
        )


DEFAULT_TURN_SECRET_ENV = "VARDMOTE_TURN_SHARED_SECRET"


@app.command("readiness-link")
def readiness_link(
    stack: Annotated[
        str,
        typer.Option(
            "--stack", "-s", help="The platform stack whose portal and TURN relay the page tests.", show_default=False
        ),
    ],
    valid_for: Annotated[
        str,
        typer.Option("--valid-for", help="How long the link's TURN credential works: 30m, 12h, 2d (at most 7d)."),
    ] = "12h",
    user: Annotated[
        str,
        typer.Option("--user", help="Who the TURN credential is for, as coturn logs it: a kit's asset tag, say."),
    ] = "beredskap",
    secret_env: Annotated[
        str,
        typer.Option("--secret-env", help="The environment variable that holds the TURN REST shared secret."),
    ] = DEFAULT_TURN_SECRET_ENV,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file",
            help="A file whose first line is the TURN REST shared secret (instead of the environment).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the link to the meeting readiness page (beredskapskontroll) for a technician's tablet.

    The technician opens it on the kit's tablet in the patient's home before a meeting: the page checks
    camera and microphone, TURN over UDP and over TLS on TCP 443, and the round trip and download speed
    to the edge, and says in Swedish what to do. The page is /beredskap/ on the portal's public name;
    the TURN relay's name and ports and a TURN credential valid for `--valid-for` ride in the link's
    fragment (after #), which the browser never sends to a server. The credential is coturn's REST kind
    (username `EXPIRY:USER`, HMAC-SHA1 of the shared secret); the shared secret itself comes from the
    environment (`--secret-env`, default VARDMOTE_TURN_SHARED_SECRET) or `--secret-file`, never the
    command line, and is never in the link. Anyone with the link can use the relay until it expires:
    send it to the technician only.

    Examples:

        VARDMOTE_TURN_SHARED_SECRET=… vardmote room readiness-link --stack rvn-prod

        vardmote room readiness-link --stack lab --secret-file /root/turn-secret --valid-for 2h --user RVN-000123
    """
    from vardmote.portal.readiness_link import (
        ReadinessLinkError,
        parse_duration,
        read_secret,
        targets_of_stack,
    )
    from vardmote.portal.readiness_link import readiness_link as make_link

    try:
        seconds = parse_duration(valid_for)
        targets = targets_of_stack(project_of_stack(stack), stack)
        secret = read_secret(secret_env, secret_file)
        link = make_link(targets, secret, valid_for_s=seconds, user=user)
    except ProblemsFound as found_problems:
        print_problems(found_problems.problems, stderr=True)
        raise typer.Exit(1) from None
    except ReadinessLinkError as err:
        fail(str(err))
        raise typer.Exit(1) from None
    # The link alone on stdout, for a pipe into a QR code or a message; what it is on stderr.
    error_console.print(f"the readiness page of stack {stack}, valid for {valid_for}:", markup=False)
    typer.echo(link)
