"""`vardmote kit`: enroll, replace, retire, move and look up tablet kits (the technician's commands)."""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from vardmote.cli.catalogue_option import ProfilesDir, load_or_exit
from vardmote.cli.console import console, error_console, fail, print_json, print_problems
from vardmote.core.problems import one_line

if TYPE_CHECKING:
    from vardmote.cli.kit_run import KitRun
    from vardmote.core.playbooks import PlaybookResult
    from vardmote.kits.record import KitRecord
    from vardmote.kits.registry.registry import KitRegistry
    from vardmote.region.catalogue import ProfileCatalogue

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Enroll, replace, retire and look up tablet kits.",
    epilog=(
        "A kit's life, each step one command (`kit enroll --check` first shows what enrolling would do):  \n"
        "`kit enroll --batch kits.csv` → `kit label --batch kits.csv --sheet labels.pdf` → "
        "`kit show SERIAL-OR-TAG` → `kit replace TAG --serial NEW --reason …` (then `kit wipe-done` for the "
        "old tablet) → `kit move TAG --municipality …` → `kit retire TAG --reason …` (and `kit wipe-done`). "
        "`kit history TAG` and `kit audit --verify` show what was done, by whom. "
        "docs/technician-runbook.md walks through each."
    ),
    no_args_is_help=True,
)

ACTOR_ENV = "VARDMOTE_ACTOR"
# Where a kit given as options (not a batch CSV) comes from: its problems name the option instead.
OPTIONS_SOURCE = Path("--options")
Ticket = Annotated[str | None, typer.Option("--ticket", help="The service ticket (kept in the audit log).")]
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        envvar="VARDMOTE_DB_URL",
        help="The registry (default: a SQLite file in your data folder).",
        show_default=False,
    ),
]
BundleDir = Annotated[
    Path | None,
    typer.Option("--bundle-dir", envvar="VARDMOTE_BUNDLE_DIR", help="Where enrollment bundles go.", show_default=False),
]


class Format(StrEnum):
    table = "table"
    json = "json"


def _actor() -> str:
    return os.environ.get(ACTOR_ENV) or f"{getpass.getuser()}@{socket.gethostname()}"


def _registry(db_url: str | None, catalogue: ProfileCatalogue) -> KitRegistry:
    from vardmote.kits.registry.database import open_engine
    from vardmote.kits.registry.registry import KitRegistry

    try:
        return KitRegistry(open_engine(db_url), catalogue, _actor())
    except Exception as err:  # an unreachable database is one line, not a traceback
        fail(f"cannot open the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None


def _named_kit(registry: KitRegistry, kit: str) -> KitRecord:
    """The kit a change names (asset tag or current serial), or one line saying why there is none."""
    try:
        return registry.show(kit)
    except Exception as err:
        fail(one_line(err))
        raise typer.Exit(1) from None


def _kit_to_label(registry: KitRegistry, kit: str, where: str) -> KitRecord:
    """The kit to print a label for, by whatever number is on it (a batch's serial may be a tablet the
    kit has since replaced), or one line saying why there is none; `where` names the CSV line."""
    from vardmote.kits.registry.queries import find_kit

    record = find_kit(registry.engine, kit)
    if record is None:
        fail(f"{where}no kit with asset tag, serial, IMEI or ICCID {kit!r}")
        raise typer.Exit(1)
    if record.status == "retired":
        fail(f"{where}kit {record.asset_tag} ({kit}) is retired: a retired kit gets no label")
        raise typer.Exit(1)
    return record


def _secret_names(catalogue: ProfileCatalogue) -> set[str]:
    """The environment variables a kit run must not hand ansible-runner: the APN passwords the profiles
    name and the registry's URL, which may carry a password."""
    from vardmote.kits.registry.location import DB_URL_ENV

    return {
        profile.model.password_secret.env
        for profile in catalogue.broadband_profiles.values()
        if profile.model.password_secret is not None and profile.model.password_secret.env
    } | {DB_URL_ENV}


def _handed(catalogue: ProfileCatalogue, db_url: str | None) -> dict[str, Any]:
    """What the run's tasks get over the secret channel: {"env": {name: value}, "db_url": …}."""
    from vardmote.kits.registry.location import DB_URL_ENV

    names = _secret_names(catalogue) - {DB_URL_ENV}
    env = {name: os.environ[name] for name in sorted(names) if name in os.environ}
    return {"env": env, "db_url": db_url or os.environ.get(DB_URL_ENV)}


@contextmanager
def _started(
    playbook: str, extravars: dict[str, Any], check: bool, catalogue: ProfileCatalogue, db_url: str | None
) -> Iterator[KitRun]:
    """A kit playbook started, its tasks held back until `finish()` (see vardmote/cli/kit_run.py); the
    secrets it needs are out of this process's environment meanwhile: use `_handed` values instead."""
    from vardmote.cli.kit_run import kit_run

    handed = _handed(catalogue, db_url)
    extravars = {"vardmote_actor": _actor(), **extravars}
    profiles = Path(extravars["vardmote_profiles_dir"]) if extravars.get("vardmote_profiles_dir") else None
    with kit_run(playbook, extravars, _secret_names(catalogue), handed, check, catalogue, profiles) as run:
        yield run


def _finished(run: KitRun) -> PlaybookResult:
    result = run.finish()
    for failure in result.failures:
        fail(failure)
    return result


def _playbook(
    playbook: str, extravars: dict[str, Any], check: bool, catalogue: ProfileCatalogue, db_url: str | None
) -> PlaybookResult:
    """Run a kit playbook, its secrets kept off the disk (see vardmote/cli/kit_run.py)."""
    with _started(playbook, extravars, check, catalogue, db_url) as run:
        return _finished(run)


def _show_kits(
    records: list[KitRecord],
    output_format: Format,
    title: str,
    wipes: dict[str, list[tuple[str, str]]] | None = None,
    policies: dict[str, str] | None = None,
) -> None:
    """The kits as a table or JSON; a kit with a device waiting for its wipe, or a tablet waiting for its
    new policy, says so in its status."""
    wipes, policies = wipes or {}, policies or {}
    if output_format is Format.json:
        print_json([_as_json(r, wipes, policies) for r in records])
        return
    if len(records) > RICH_TABLE_UP_TO:
        _plain_table(records, title, wipes, policies)
        return
    table = Table("Asset tag", "Serial", "Kommun", "Alt", "Model", "Status", "Support", "MDM", title=title)
    for r in records:
        pending = wipes.get(r.asset_tag)
        table.add_row(
            r.asset_tag,
            r.serial,
            r.municipality_code,
            str(r.alternative),
            r.model,
            r.status
            + (", [bold yellow]wipe pending[/]" if pending else "")
            + (", [bold yellow]policy pending[/]" if r.asset_tag in policies else ""),
            r.support_party,
            r.mdm_device or r.mdm_ref or "-",
        )
    console.print(table)
    for tag, devices in wipes.items():
        for serial, note in devices:
            console.print(f"[bold yellow]wipe pending[/] {tag}: serial {serial} — {note}", soft_wrap=True)
    for tag, note in policies.items():
        console.print(f"[bold yellow]policy pending[/] {tag}: {note}", soft_wrap=True)


# Rich lays out a table by measuring every cell, which for thousands of rows takes seconds; longer lists
# are printed as plain columns, which read the same and can be piped to grep.
RICH_TABLE_UP_TO = 200


def _plain_table(
    records: list[KitRecord], title: str, wipes: dict[str, list[tuple[str, str]]], policies: dict[str, str]
) -> None:
    rows = [("Asset tag", "Serial", "Kommun", "Alt", "Model", "Status", "Support", "MDM")]
    for r in records:
        status = r.status + (", wipe pending" if r.asset_tag in wipes else "")
        status += ", policy pending" if r.asset_tag in policies else ""
        rows.append(
            (
                r.asset_tag,
                r.serial,
                r.municipality_code,
                str(r.alternative),
                r.model,
                status,
                r.support_party,
                r.mdm_device or r.mdm_ref or "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    out = [title]
    out += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    sys.stdout.write("\n".join(out) + "\n")


def _as_json(record: KitRecord, wipes: dict[str, list[tuple[str, str]]], policies: dict[str, str]) -> dict[str, Any]:
    return {
        **record.model_dump(),
        "wipe_pending": [serial for serial, _ in wipes.get(record.asset_tag, [])],
        "policy_pending": policies.get(record.asset_tag),
    }


def _pending_wipes(db_url: str | None, tags: list[str]) -> dict[str, list[tuple[str, str]]]:
    from vardmote.kits.registry.database import open_engine
    from vardmote.kits.registry.queries import pending_wipes

    try:
        return pending_wipes(open_engine(db_url), tags)
    except Exception as err:
        fail(f"cannot read the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None


def _where(bundle_dir: Path | None, profiles_dir: Path | None) -> dict[str, str | None]:
    """The extra variables every kit playbook takes: where bundles and profiles are. (Where the registry
    is goes through the secret channel: its URL may carry a password.)"""
    return {
        "vardmote_bundle_dir": str(bundle_dir) if bundle_dir else None,
        "vardmote_profiles_dir": str(profiles_dir) if profiles_dir else None,
    }


def _results_of(result: PlaybookResult, task: str) -> list[dict[str, Any]]:
    return [kit for res in result.results.get(task, []) for kit in res.get("kits", [])]


@app.command()
def enroll(
    serial: Annotated[str | None, typer.Option(help="The tablet's serial number.", show_default=False)] = None,
    imei: Annotated[
        str | None, typer.Option(help="The tablet's IMEI (15 digits, Luhn-checked).", show_default=False)
    ] = None,
    iccid: Annotated[
        str | None, typer.Option(help="The SIM's ICCID (8946…, Luhn-checked).", show_default=False)
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="A model id from device_profiles/models/.", show_default=False)
    ] = None,
    municipality: Annotated[str | None, typer.Option(help="Name, file name or kommunkod.", show_default=False)] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            help="A CSV of kits (serial,imei,iccid,model,municipality), enrolled in one run.", show_default=False
        ),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="With --batch: enroll the valid rows even if some are bad.")
    ] = False,
    ticket: Ticket = None,
    check: Annotated[bool, typer.Option("--check", help="Show what would change; change nothing.")] = False,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Enroll a kit (or a batch): register it, render its policy or profile and label, enroll it in its MDM.

    Everything is validated before anything is written: IMEI and ICCID check digits, the ICCID's
    Swedish prefix, the model and the municipality, duplicates. A batch with bad rows writes nothing
    unless --skip-invalid. Running the same command again finishes an interrupted enrollment and
    enrolls nothing twice.

    Examples:

        vardmote kit enroll --serial R52W700006 --imei 352099001760061 --iccid 8946010000000000061 \\
            --model samsung-galaxy-tab-s10-plus-5g --municipality Ånge

        vardmote kit enroll --batch device_profiles/examples/kits.csv
    """
    from vardmote.kits.intake import check_request, read_batch

    catalogue = load_or_exit(profiles_dir)
    single = {"--serial": serial, "--imei": imei, "--iccid": iccid, "--model": model, "--municipality": municipality}
    if batch is not None:
        given = [option for option, value in single.items() if value is not None]
        if given:
            fail(f"{', '.join(given)}: not with --batch, whose CSV gives each kit's fields")
            raise typer.Exit(2)
        source = batch
        requests, problems = read_batch(batch, catalogue)
    elif serial is None or model is None or municipality is None:
        fail("give --serial, --model and --municipality (and --imei/--iccid), or --batch FILE")
        raise typer.Exit(2)
    else:
        if skip_invalid:
            fail("--skip-invalid: only with --batch")
            raise typer.Exit(2)
        source = OPTIONS_SOURCE
        row = {"serial": serial, "imei": imei or "", "iccid": iccid or "", "model": model, "municipality": municipality}
        request, problems = check_request(row, 1, source, catalogue)
        requests = [request] if request else []
    _check_run_fields(ticket)
    requests, bad_rows = _refuse_bad_rows(requests, problems, skip_invalid)
    if check:
        engine = _engine(db_url)
        requests, bad_registry_rows = _refuse_bad_rows(
            requests, _registry_problems(engine, requests, source), skip_invalid, already=bad_rows
        )
        _check_preconditions(engine, catalogue, requests, bundle_dir, check)
        _say_skipped(bad_rows + bad_registry_rows, requests)
        _print_plan(engine, catalogue, requests)
        return

    def extravars(kits: list[Any]) -> dict[str, Any]:
        return {
            "vardmote_kits": [r.as_vars() for r in kits],
            "vardmote_ticket": ticket,
            **_where(bundle_dir, profiles_dir),
        }

    # Ansible starts while the kits are checked against the registry; its tasks wait for the checks.
    playbook = "enroll_batch.yml" if batch else "enroll_kit.yml"
    with _started(playbook, extravars(requests), False, catalogue, db_url) as run:
        handed = run.handed
        engine = _engine(handed["db_url"])
        checked, bad_registry_rows = _refuse_bad_rows(
            requests, _registry_problems(engine, requests, source), skip_invalid, already=bad_rows
        )
        _check_preconditions(engine, catalogue, checked, bundle_dir, False, env=handed["env"])
        _say_skipped(bad_rows + bad_registry_rows, checked)
        if len(checked) != len(requests):  # rows the registry refused: the run must not see them
            run.restart(extravars(checked))
        result = _finished(run)
    _summarise(result, "Register the kits in the registry", bundle_dir)
    if not result.ok:
        error_console.print("[bold red]✗[/] not finished: fix the cause above and run the same command again")
        raise typer.Exit(1)


def _say_skipped(bad_rows: int, requests: list[Any]) -> None:
    if bad_rows:
        error_console.print(f"[yellow]skipping {bad_rows} bad row(s); enrolling {len(requests)} kit(s)[/]")


TICKET_MAX, ACTOR_MAX = 60, 120  # the audit log's columns


def _check_run_fields(ticket: str | None) -> None:
    """The run's own fields fit the audit log (a too-long ticket would fail the first write)."""
    problems = []
    if ticket is not None and len(ticket) > TICKET_MAX:
        problems.append(f"--ticket is {len(ticket)} characters, at most {TICKET_MAX}")
    if len(actor := _actor()) > ACTOR_MAX:
        problems.append(f"{ACTOR_ENV} is {len(actor)} characters, at most {ACTOR_MAX}")
    for problem in problems:
        fail(problem)
    if problems:
        raise typer.Exit(1)


def _refuse_bad_rows(
    requests: list[Any], problems: list[Any], skip_invalid: bool, already: int = 0
) -> tuple[list[Any], int]:
    """Print each problem; stop unless told to skip the bad rows (and some good ones are left). Returns
    the good requests and how many rows were bad."""
    if not problems:
        return requests, 0
    if all(p.file == OPTIONS_SOURCE for p in problems):
        for problem in problems:  # a kit given as options: each problem names its option
            fail(f"--{problem.field}: {problem.message}" if problem.field else problem.message)
    else:
        print_problems(problems)
    bad_lines = {p.line for p in problems}
    good = [r for r in requests if r.line not in bad_lines]
    if not skip_invalid or not good:
        error_console.print(f"[bold red]✗[/] {len(problems)} problem(s); nothing was enrolled")
        raise typer.Exit(1)
    return good, len(bad_lines)


def _engine(db_url: str | None) -> Any:
    from vardmote.kits.registry.database import open_engine

    try:
        return open_engine(db_url)
    except Exception as err:  # an unreachable database is one line, not a traceback
        fail(f"cannot open the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None


def _registry_problems(engine: Any, requests: list[Any], source: Path) -> list[Any]:
    from vardmote.kits.preflight import registry_problems

    try:
        return registry_problems(engine, requests, source)
    except Exception as err:
        fail(f"cannot read the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None


def _check_preconditions(
    engine: Any,
    catalogue: ProfileCatalogue,
    requests: list[Any],
    bundle_dir: Path | None,
    check: bool,
    env: dict[str, str] | None = None,
) -> None:
    """Everything the run needs besides good rows, before its first write: each one line."""
    from vardmote.kits.bundle import default_bundle_dir
    from vardmote.kits.preflight import bundle_dir_problem, mdm_problems, registry_write_problem, secret_problems

    problems = secret_problems(catalogue, requests, env) + mdm_problems(catalogue, requests)
    problems += [p for p in (bundle_dir_problem(bundle_dir or default_bundle_dir()),) if p]
    if not check:
        problems += [p for p in (registry_write_problem(engine),) if p]
    for problem in problems:
        fail(problem)
    if problems:
        error_console.print(f"[bold red]✗[/] {len(problems)} problem(s); nothing was enrolled")
        raise typer.Exit(1)


def _print_plan(engine: Any, catalogue: ProfileCatalogue, requests: list[Any]) -> None:
    from vardmote.kits.preflight import plan

    console.print("[bold]Plan[/] (nothing was written):")
    for kit in plan(engine, catalogue, requests):  # one line a kit, never wrapped: a batch's plan is read and grepped
        details = f"; files: {kit.files}; MDM: {kit.mdm}" if kit.files != "-" else ""
        console.print(
            f"line {kit.line}: {kit.serial} ({kit.municipality}) → {kit.asset_tag}: {kit.action}{details}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(f"{len(requests)} kit(s) checked; run again without --check to enroll them")


# A batch longer than this prints counts, and a table of only the kits that are not finished: a table of
# hundreds of finished kits scrolls past unread (`vardmote kit list` shows them all).
FULL_TABLE_UP_TO = 25


def _summarise(result: PlaybookResult, register_task: str, bundle_dir: Path | None) -> None:
    from vardmote.kits.bundle import default_bundle_dir

    kits = [k for k in _results_of(result, register_task) if k.get("asset_tag")]
    enrolled = {k["asset_tag"] for k in _results_of(result, "Enroll the kits in their MDM")}
    folder = bundle_dir or default_bundle_dir()
    states = {
        kit["asset_tag"]: (
            "enrolled"
            if kit["asset_tag"] in enrolled
            else ("already enrolled" if not kit.get("work_left") else "registered, not enrolled")
        )
        for kit in kits
    }
    unfinished = [k for k in kits if states[k["asset_tag"]] == "registered, not enrolled"]
    shown = kits if len(kits) <= FULL_TABLE_UP_TO else unfinished
    if shown:
        table = Table("Asset tag", "Serial", "Kommun", "Result", "Bundle", title="Kits")
        for kit in shown:
            tag = kit["asset_tag"]
            table.add_row(tag, kit.get("serial", ""), kit.get("municipality_code", ""), states[tag], str(folder / tag))
        console.print(table)
    if len(kits) > FULL_TABLE_UP_TO:
        counts = ", ".join(f"{count} {state}" for state, count in Counter(states.values()).items())
        console.print(f"{len(kits)} kits: {counts}; bundles in {folder}/<asset tag> (`vardmote kit list` lists them)")


@app.command()
def replace(
    kit: Annotated[str, typer.Argument(help="The kit's asset tag or current serial.")],
    serial: Annotated[str, typer.Option(help="The new tablet's serial number.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log), e.g. 'cracked screen'.")],
    imei: Annotated[str | None, typer.Option(help="The new tablet's IMEI.", show_default=False)] = None,
    iccid: Annotated[
        str | None, typer.Option(help="A new SIM's ICCID; without it the SIM moves along.", show_default=False)
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="The new tablet's model, if it differs.", show_default=False)
    ] = None,
    old_status: Annotated[str, typer.Option(help="What happens to the old tablet: in_repair or rma.")] = "in_repair",
    ticket: Ticket = None,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Replace a kit's broken tablet: the kit keeps its asset tag, the old device is wiped, the new enrolled.

    Whether the Region or the municipality does this follows the kit's alternative (see its label).

    Example:

        vardmote kit replace RVN-2260-00001 --serial R52W799999 --imei 352099001760996 \\
            --reason "cracked screen" --ticket INC-42
    """
    from vardmote.kits.identifiers import (
        iccid_problem,
        imei_problem,
        normalise_digits,
        normalise_serial,
        serial_problem,
    )

    catalogue = load_or_exit(profiles_dir)
    serial = normalise_serial(serial)
    imei, iccid = (normalise_digits(imei) if imei else None), (normalise_digits(iccid) if iccid else None)
    problems = [p for p in (serial_problem(serial), imei and imei_problem(imei), iccid and iccid_problem(iccid)) if p]
    if old_status not in ("in_repair", "rma"):
        problems.append(f"--old-status must be in_repair or rma, got {old_status!r}")
    if model and model not in catalogue.models:
        problems.append(f"unknown model {model!r}; known: {', '.join(sorted(catalogue.models))}")
    _check_run_fields(ticket)
    registry = _registry(db_url, catalogue)
    current = _named_kit(registry, kit)
    new_model = catalogue.models.get(model or current.model)
    if new_model is not None and new_model.model.cellular and not imei:
        problems.append(f"--imei: the new tablet ({model or current.model}) is a cellular model: give its IMEI")
    if current.status == "retired":
        problems.append(f"kit {current.asset_tag} is retired; enroll a new kit instead")
    for problem in problems:
        fail(problem)
    if problems:
        raise typer.Exit(1)
    tag = current.asset_tag
    request = {
        "asset_tag": tag,
        "serial": serial,
        "imei": imei,
        "iccid": iccid,
        "model": model,
        "old_status": old_status,
    }
    extravars = {
        "vardmote_replacements": [{k: v for k, v in request.items() if v is not None}],
        "vardmote_reason": reason,
        "vardmote_ticket": ticket,
        **_where(bundle_dir, profiles_dir),
    }
    result = _playbook("replace_kit.yml", extravars, False, catalogue, db_url)
    _summarise(result, "Register the kits in the registry", bundle_dir)
    _say_wipes(_pending_wipes(db_url, [tag]), result)
    if not result.ok:
        raise typer.Exit(1)


def _say_wipes(pending: dict[str, list[tuple[str, str]]], result: PlaybookResult) -> None:
    """What became of each old tablet's wipe: sent to the MDM, or a work order the technician must do."""
    for wiped in _results_of(result, "Wipe the devices in their MDM, or write their work orders"):
        if wiped.get("state") == "sent":
            console.print(f"[green]✓[/] wipe sent for {wiped['asset_tag']} serial {wiped['serial']}: {wiped['note']}")
    for tag, devices in pending.items():
        for serial, note in devices:
            console.print(
                f"[bold yellow]wipe pending[/] {tag}: serial {serial} — {note}; "
                f"when done: vardmote kit wipe-done {tag} --serial {serial}"
            )


@app.command()
def retire(
    kit: Annotated[str, typer.Argument(help="The kit's asset tag or current serial.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
    ticket: Ticket = None,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Retire a kit: wipe its tablet and free its SIM. The kit's history stays in the registry.

    Example:

        vardmote kit retire RVN-2262-00003 --reason "end of contract" --ticket RITM-7
    """
    catalogue = load_or_exit(profiles_dir)
    _check_run_fields(ticket)
    registry = _registry(db_url, catalogue)
    tag = _named_kit(registry, kit).asset_tag
    extravars = {
        "vardmote_kits": [{"asset_tag": tag}],
        "vardmote_reason": reason,
        "vardmote_ticket": ticket,
        **_where(bundle_dir, profiles_dir),
    }
    result = _playbook("retire_kit.yml", extravars, False, catalogue, db_url)
    pending = _pending_wipes(db_url, [tag])
    if not result.ok:
        _say_wipes(pending, result)
        raise typer.Exit(1)
    _show_kits([registry.show(tag)], Format.table, "Retired")
    _say_wipes(pending, result)


@app.command("wipe-done")
def wipe_done(
    kit: Annotated[str, typer.Argument(help="The kit's asset tag (now or before a move) or current serial.")],
    serial: Annotated[str, typer.Option(help="The serial of the tablet you wiped, as on its work order.")],
    ticket: Ticket = None,
    db_url: DbUrl = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Confirm that you wiped a tablet by its work order (WIPE-SERIAL.txt in the kit's bundle).

    Until you do, the kit shows "wipe pending". The confirmation goes into the audit log.

    Example:

        vardmote kit wipe-done RVN-2260-00001 --serial R52W700006
    """
    from vardmote.kits.registry.registry_keys import normalise_key

    registry = _registry(db_url, load_or_exit(profiles_dir))
    try:
        changed = registry.confirm_wipe(kit, normalise_key(serial), ticket)
    except Exception as err:
        fail(one_line(err))
        raise typer.Exit(1) from None
    word = "confirmed" if changed else "was already done"
    console.print(f"[green]✓[/] wipe of serial {normalise_key(serial)} {word}")


@app.command()
def move(
    kit: Annotated[str, typer.Argument(help="The kit's asset tag (now or before a move) or current serial.")],
    municipality: Annotated[str, typer.Option(help="The municipality it moves to (name, file name or kommunkod).")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
    ticket: Ticket = None,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Move a kit to another municipality: new asset tag and support party, and the tablet gets the new
    municipality's APN, support message and kiosk policy.

    With the Android Management API the new policy is applied and the device pointed at it
    (policies.patch, devices.patch); otherwise the kit's new bundle holds the policy or profile and a
    work order (POLICY-SERIAL.txt), and the kit shows "policy pending" until `vardmote kit
    policy-done`. The old tag keeps finding the kit. Print the new label.pdf and replace the old one.

    Example:

        vardmote kit move RVN-2260-00001 --municipality Timrå --reason "moved to Timrå hemtjänst"
    """
    from vardmote.kits.intake import KitRequest

    catalogue = load_or_exit(profiles_dir)
    _check_run_fields(ticket)
    registry = _registry(db_url, catalogue)
    current = _named_kit(registry, kit)
    try:
        _, target = catalogue.find_municipality(municipality)
    except LookupError as err:
        fail(one_line(err))
        raise typer.Exit(2) from None
    needs = KitRequest(0, current.serial, current.imei, current.iccid, current.model, target.code)
    _check_push_preconditions(registry, catalogue, [needs], [current], bundle_dir)
    try:
        record = registry.retag(current.asset_tag, target.code, reason, ticket)
    except Exception as err:
        fail(one_line(err))
        raise typer.Exit(1) from None
    ok = _push_and_say(registry, catalogue, [record.asset_tag], bundle_dir)
    _show_kits([registry.show(record.asset_tag)], Format.table, "Moved" if record != current else "Unchanged")
    if not ok:
        raise typer.Exit(1)


def _check_push_preconditions(
    registry: KitRegistry,
    catalogue: ProfileCatalogue,
    needs: list[Any],
    kits: list[KitRecord],
    bundle_dir: Path | None,
) -> None:
    """What pushing new policies needs, before anything is recorded: the APN secrets of the kits' new
    profiles, the AMAPI enterprise for kits enrolled through it, the bundle folder, a writable registry."""
    import os as _os

    from vardmote.kits.bundle import default_bundle_dir
    from vardmote.kits.mdm.names import AMAPI_ENTERPRISE_ENV
    from vardmote.kits.preflight import bundle_dir_problem, registry_write_problem, secret_problems

    problems = secret_problems(catalogue, needs)
    if any(k.mdm_driver == "amapi" for k in kits) and not _os.environ.get(AMAPI_ENTERPRISE_ENV):
        problems.append(f"kits enrolled through the amapi driver: set {AMAPI_ENTERPRISE_ENV}=enterprises/<id>")
    problems += [p for p in (bundle_dir_problem(bundle_dir or default_bundle_dir()),) if p]
    problems += [p for p in (registry_write_problem(registry.engine),) if p]
    for problem in problems:
        fail(problem)
    if problems:
        error_console.print(f"[bold red]✗[/] {len(problems)} problem(s); nothing was changed")
        raise typer.Exit(1)


def _push_and_say(registry: KitRegistry, catalogue: ProfileCatalogue, tags: list[str], bundle_dir: Path | None) -> bool:
    """Push the new policy of each pending kit among `tags` and say, kit by kit, what became of it.
    Returns whether every push was sent or ordered."""
    from vardmote.kits.bundle import default_bundle_dir
    from vardmote.kits.moves import push_pending
    from vardmote.kits.steps import KitContext

    context = KitContext(catalogue, bundle_dir or default_bundle_dir())
    with console.status("pushing new policies…") as status:
        pushed = push_pending(registry, context, tags, progress=lambda tag: status.update(f"[bold]{tag}[/]…"))
    for push in pushed:
        if push.error is not None:
            fail(f"{push.asset_tag}: {push.error}; it stays 'policy pending': run `vardmote kit push {push.asset_tag}`")
        elif push.outcome is not None and push.outcome.state == "sent":
            console.print(f"[green]✓[/] {push.asset_tag}: new policy sent: {push.outcome.note}", soft_wrap=True)
        elif push.outcome is not None:
            console.print(
                f"[bold yellow]policy pending[/] {push.asset_tag}: {push.outcome.note}; "
                f"when done: vardmote kit policy-done {push.asset_tag}",
                soft_wrap=True,
            )
    return all(push.error is None for push in pushed)


@app.command()
def push(
    kits: Annotated[
        list[str], typer.Argument(help="Asset tags (now or before a move) of kits that are 'policy pending'.")
    ],
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Push again the new policy of kits left 'policy pending' by a move or a change of alternative that
    could not reach the MDM (an API error): the same as the end of `kit move`."""
    catalogue = load_or_exit(profiles_dir)
    registry = _registry(db_url, catalogue)
    records = [_named_kit(registry, kit) for kit in kits]
    _check_push_preconditions(registry, catalogue, [], records, bundle_dir)
    if not registry.policy_pending([r.asset_tag for r in records]):
        console.print("nothing to push: the tablets have what the registry says")
        return
    if not _push_and_say(registry, catalogue, [r.asset_tag for r in records], bundle_dir):
        raise typer.Exit(1)


@app.command("policy-done")
def policy_done(
    kit: Annotated[str, typer.Argument(help="The kit's asset tag (now or before a move) or current serial.")],
    ticket: Ticket = None,
    db_url: DbUrl = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Confirm that you gave the kit's tablet its new policy or profile by its work order
    (POLICY-SERIAL.txt in the kit's bundle) and relabelled it. The confirmation goes into the audit log."""
    registry = _registry(db_url, load_or_exit(profiles_dir))
    try:
        record = registry.show(kit)
        changed = registry.confirm_policy(record.asset_tag, ticket)
    except Exception as err:
        fail(one_line(err))
        raise typer.Exit(1) from None
    said = "confirmed" if changed else "nothing was pending"
    console.print(f"[green]✓[/] {record.asset_tag}: new policy {said}")


def switch_alternative(
    municipality: Annotated[str, typer.Argument(help="The municipality (name, file name or kommunkod).")],
    alternative: Annotated[int, typer.Argument(help="Its new alternative: 1 or 2.", min=1, max=2)],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log of each kit).")],
    broadband_profile: Annotated[
        str | None,
        typer.Option(
            help="The broadband profile under the new alternative, when the subscription changes hands "
            "(its holder must follow the matrix).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show kit by kit what changes; change nothing.")] = False,
    ticket: Ticket = None,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """A municipality changes alternative: its profile, and every kit of it, in one command.

    The municipality's file in device_profiles/ gets the new alternative (and broadband profile); the
    whole profile tree is validated with the change before anything is written. Then each kit gets the
    support party of the new alternative, its label, and its new policy (AMAPI) or a work order. Running
    it again finishes what an interrupted run left; a kit already switched is left alone.

    Example:

        vardmote municipality set-alternative Timrå 1 --broadband-profile rvn-private-apn \
            --reason "avtal 2027" --dry-run
    """
    from vardmote.core.problems import ProblemsFound
    from vardmote.kits.intake import KitRequest
    from vardmote.kits.moves import plan_switch, switched_catalogue, write_switch

    catalogue = load_or_exit(profiles_dir)
    _check_run_fields(ticket)
    try:
        key, before = catalogue.find_municipality(municipality)
        switched, text = switched_catalogue(catalogue, key, alternative, broadband_profile)
    except ProblemsFound as err:
        for problem in err.problems:
            fail(f"with alternative {alternative}: {problem.message} ({problem.field or problem.file.name})")
        error_console.print("[bold red]✗[/] nothing was changed; give --broadband-profile for the new alternative")
        raise typer.Exit(1) from None
    except (LookupError, ValueError, OSError) as err:
        fail(one_line(err))
        raise typer.Exit(1) from None
    registry = _registry(db_url, catalogue)
    changes = plan_switch(catalogue, switched, key, registry)
    after = switched.municipalities[key].model
    console.print(
        f"{before.name}: alternative {before.alternative} → {after.alternative}; broadband "
        f"{before.broadband_profile} → {after.broadband_profile}; {len(changes)} kit(s)",
        soft_wrap=True,
    )
    for change in changes:
        parts = [
            f"{name} {old} → {new}" if old != new else f"{name} {old} (unchanged)"
            for name, (old, new) in (("support", change.support), ("APN", change.apn), ("policy", change.policy))
        ]
        console.print(
            f"  {change.asset_tag}: tag unchanged; {'; '.join(parts)}; label rewritten; {change.delivery}",
            soft_wrap=True,
            highlight=False,
        )
    if dry_run:
        console.print("dry run: nothing was changed")
        return
    records = registry.list_kits(before.code, None)
    active = [r for r in records if r.status != "retired"]
    needs = [KitRequest(0, r.serial, r.imei, r.iccid, r.model, r.municipality_code) for r in active]
    _check_push_preconditions(registry, switched, needs, active, bundle_dir)
    if text != catalogue.municipalities[key].path.read_text(encoding="utf-8"):
        write_switch(catalogue, key, text)
    # The registry follows the profile: each kit gets the new alternative's support party (one
    # transaction each, so a run stopped half-way is finished by the next); then the tablets.
    switched_registry = _registry(db_url, switched)
    failures = 0
    for record in active:
        try:
            switched_registry.retag(record.asset_tag, record.municipality_code, reason, ticket)
        except Exception as err:
            fail(f"{record.asset_tag}: {one_line(err)}")
            failures += 1
    for record in active:
        _write_label(switched, switched_registry.show(record.asset_tag), bundle_dir)
    ok = _push_and_say(switched_registry, switched, [r.asset_tag for r in active], bundle_dir)
    if failures or not ok:
        error_console.print("[bold red]✗[/] not finished: fix the cause above and run the same command again")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {before.name} is now alternative {after.alternative}")


def _write_label(catalogue: ProfileCatalogue, record: KitRecord, bundle_dir: Path | None) -> list[Path]:
    from vardmote.kits.artifacts import label
    from vardmote.kits.bundle import BundleFile, default_bundle_dir, write_bundle
    from vardmote.kits.steps import KitContext, label_content

    folder = (bundle_dir or default_bundle_dir()) / record.asset_tag
    content = label_content(KitContext(catalogue, folder.parent), record)
    files = [BundleFile("label.svg", label.svg(content).encode()), BundleFile("label.pdf", label.pdf(content))]
    write_bundle(folder, files)
    return [folder / f.name for f in files]


@app.command()
def label(
    kits: Annotated[
        list[str] | None,
        typer.Argument(help="Asset tags (now or before a move) or current serials.", show_default=False),
    ] = None,
    municipality: Annotated[
        str | None, typer.Option(help="Every active kit of this municipality.", show_default=False)
    ] = None,
    batch: Annotated[
        Path | None, typer.Option(help="The kits of an enrollment CSV (by its serials).", show_default=False)
    ] = None,
    sheet: Annotated[
        Path | None,
        typer.Option(help="Write one A4 PDF of all the labels (6 a sheet) to this file.", show_default=False),
    ] = None,
    db_url: DbUrl = None,
    bundle_dir: BundleDir = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Print (write) kits' support labels: QR code of the asset tag, whom to call, the contents list.

    Each label is 62 × 100 mm, as SVG and PDF, in the kit's bundle folder; with --sheet, all of them
    also go on A4 sheets, three across and two down, for a batch printed on plain paper or A4 labels.

    Examples:

        vardmote kit label RVN-2260-00001
        vardmote kit label --batch kits.csv --sheet labels.pdf
    """
    from vardmote.kits.artifacts import label as labels
    from vardmote.kits.intake import read_batch
    from vardmote.kits.steps import KitContext, label_content

    catalogue = load_or_exit(profiles_dir)
    registry = _registry(db_url, catalogue)
    names = list(kits or [])
    if batch is not None:
        requests, problems = read_batch(batch, catalogue)
        if problems:
            print_problems(problems)
            raise typer.Exit(1)
    records = [_kit_to_label(registry, name, "") for name in names]
    if batch is not None:
        records += [_kit_to_label(registry, r.serial, f"{batch}:{r.line}: ") for r in requests]
    if municipality is not None:
        try:
            code = catalogue.find_municipality(municipality)[1].code
        except LookupError as err:
            fail(one_line(err))
            raise typer.Exit(2) from None
        records += [r for r in registry.list_kits(code, None) if r.status != "retired"]
    if not records:
        fail("name the kits: asset tags or serials, --batch FILE or --municipality NAME")
        raise typer.Exit(2)
    try:
        for record in records:
            for path in _write_label(catalogue, record, bundle_dir):
                console.print(f"wrote {path}")
        if sheet is not None:
            context = KitContext(catalogue, bundle_dir or Path("."))
            data = labels.sheet_pdf([label_content(context, r) for r in records])
            sheet.write_bytes(data)
            pages = -(-len(records) // len(labels.sheet_positions()))
            console.print(f"wrote {sheet}: {len(records)} labels on {pages} A4 sheet(s)")
    except (labels.LabelOverflow, OSError) as err:
        fail(one_line(err))
        raise typer.Exit(1) from None


@app.command()
def show(
    kit: Annotated[
        str,
        typer.Argument(
            help="What is on the kit: its asset tag (now or before a move), or the serial, IMEI or ICCID of its "
            "tablet and SIM; any case and spacing. The numbers of a tablet or SIM that left the kit also find it."
        ),
    ],
    output_format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    db_url: DbUrl = None,
) -> None:
    """Show one kit by whatever number is on it, and what is still to be done for it (a wipe, a policy)."""
    from vardmote.kits.registry.database import open_engine
    from vardmote.kits.registry.queries import find_kit, pending_wipes, policies_pending

    try:
        engine = open_engine(db_url)
        record = find_kit(engine, kit)
    except Exception as err:
        fail(f"cannot read the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None
    if record is None:
        fail(f"no kit with asset tag, serial, IMEI or ICCID {kit!r}")
        raise typer.Exit(1)
    wipes, policies = pending_wipes(engine, [record.asset_tag]), policies_pending(engine, [record.asset_tag])
    if output_format is Format.json:
        print_json(_as_json(record, wipes, policies))
        return
    _show_kits([record], output_format, record.asset_tag, wipes, policies)


@app.command("list")
def list_command(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality.", show_default=False)] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status (registered, enrolled, retired…).", show_default=False)
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    db_url: DbUrl = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """List kits, optionally of one municipality or status."""
    from vardmote.kits.record import KIT_STATUSES

    if status is not None and status not in KIT_STATUSES:
        fail(f"--status: unknown status {status!r}; one of {', '.join(KIT_STATUSES)}")
        raise typer.Exit(2)
    catalogue = load_or_exit(profiles_dir)
    code = None
    if municipality:
        try:
            code = catalogue.find_municipality(municipality)[1].code
        except LookupError as err:
            fail(one_line(err))
            raise typer.Exit(2) from None
    registry = _registry(db_url, catalogue)
    from vardmote.kits.registry.queries import all_pending_wipes, policies_pending

    try:
        records = registry.list_kits(code, status)
        wipes = all_pending_wipes(registry.engine)
        policies = policies_pending(registry.engine, None)
    except Exception as err:
        fail(f"cannot read the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None
    listed = {r.asset_tag for r in records}
    wipes = {tag: devices for tag, devices in wipes.items() if tag in listed}
    policies = {tag: note for tag, note in policies.items() if tag in listed}
    _show_kits(records, output_format, f"{len(records)} kits", wipes, policies)


@app.command()
def history(
    kit: Annotated[str, typer.Argument(help="Asset tag, or the serial of a tablet it carries or once carried.")],
    db_url: DbUrl = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Show a kit's lifecycle: every audit entry (who, when, what, why, ticket) and every device it carried."""
    registry = _registry(db_url, load_or_exit(profiles_dir))
    try:
        record, entries, devices = registry.history(kit)
    except Exception as err:
        fail(one_line(err))
        raise typer.Exit(1) from None
    table = Table("When (UTC)", "Who", "What", "Tag", "Why", "Ticket", title=f"History of {record.asset_tag}")
    for e in entries:
        table.add_row(e.at[:19], e.actor, e.action, e.asset_tag, e.reason, e.ticket or "")
    console.print(table)
    devices_table = Table("Serial", "IMEI", "ICCID", "Model", "Installed", "Removed", "As", "Wipe", title="Devices")
    for d in devices:
        removed = d.removed_at.isoformat()[:19] if d.removed_at else ""
        devices_table.add_row(
            d.serial,
            d.imei or "",
            d.iccid or "",
            d.model,
            d.installed_at.isoformat()[:19],
            removed,
            d.removal_status or "",
            d.wipe_state or "",
        )
    console.print(devices_table)


@app.command()
def audit(
    verify: Annotated[bool, typer.Option("--verify", help="Check the audit log's hash chain.")] = False,
    expect: Annotated[
        str | None,
        typer.Option(
            help="An anchor kept elsewhere (ENTRIES:HASH, as this command prints it): the log must still hold it.",
            show_default=False,
        ),
    ] = None,
    db_url: DbUrl = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Verify that the registry's audit log is complete and unaltered, and that every kit is as its newest
    entry left it.

    Each entry carries the previous one's hash and the kit's state after it. The log must also still
    hold the entry this machine last anchored (every change here moves the anchor, in your data folder)
    and, with --expect, an anchor you kept elsewhere (a ticket, a printout): a cut tail or an emptied
    log then fails even if whoever cut it also moved the registry's head. Prints the head to keep.

    Exit status 1 if anything was altered, removed or inserted.
    """
    from vardmote.kits.registry.anchor import Anchor

    if not verify:
        fail("say --verify to check the audit log")
        raise typer.Exit(2)
    try:
        expected = Anchor.parse(expect) if expect else None
    except ValueError as err:
        fail(f"--expect: {err}")
        raise typer.Exit(2) from None
    registry = _registry(db_url, load_or_exit(profiles_dir))
    try:
        count, head, breaks = registry.verify_audit(expected)
    except Exception as err:
        fail(f"cannot read the kit registry: {one_line(err)}")
        raise typer.Exit(1) from None
    for broken in breaks:
        fail(f"audit entry {broken.entry_id}: {broken.problem}" if broken.entry_id else broken.problem)
    if breaks:
        raise typer.Exit(1)
    console.print(f"[green]✓[/] the audit log's {count} entries are complete and unaltered")
    console.print(f"head: {head} (keep it; `--expect {head}` checks that the log still holds it)", soft_wrap=True)
