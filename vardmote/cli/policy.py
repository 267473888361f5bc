"""`vardmote policy`: the security review of platform, kits, profiles and invitations."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vardmote.cli.catalogue_option import ProfilesDir
from vardmote.cli.console import console, error_console, fail, print_json, print_problems
from vardmote.core.problems import ProblemsFound

if TYPE_CHECKING:
    from vardmote.policy.engine import Outcome, Report

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Check the platform, kits, profiles and invitations against the requirements.",
    epilog=(
        "`vardmote policy list` shows every check and what it is traced to; `vardmote policy check` runs "
        "them on the region's data and every stack. A finding fails the run (`--fail-on` sets the lowest "
        "severity that does); a check that cannot read what it looks at always does."
    ),
    no_args_is_help=True,
)


class FailOn(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


@app.command("check")
def check_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check, each by the kind of its content: a stack config, a profile, an "
            "invitation template, Ansible variables or a kit export.",
            show_default=False,
        ),
    ] = None,
    stack: Annotated[
        list[str] | None,
        typer.Option("--stack", "-s", help="Check this stack's platform (repeatable).", show_default=False),
    ] = None,
    profiles: Annotated[
        bool, typer.Option("--profiles", help="Check the kiosk, broadband and model profiles and the invitations.")
    ] = False,
    kits: Annotated[
        bool, typer.Option("--kits", help="Check every kit in the registry ($VARDMOTE_DB_URL) that is not retired.")
    ] = False,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="table for people; json, sarif, junit or markdown for tools and reviewers."
        ),
    ] = ReportFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file instead of standard output.", show_default=False
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Fail only on findings of this severity or above (unreadable inputs, checks that could not "
            "run and expired waivers always fail).",
        ),
    ] = FailOn.low,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="A JSON report (--format json) of findings accepted earlier: only findings not in it fail.",
            show_default=False,
        ),
    ] = None,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Run every check that applies, offline, and report what fails and how to fix it.

    With no PATH and no option, the whole project is checked: every stack (by running the real Pulumi
    program under the mock runtime), the profiles, the invitation templates and the Ansible files;
    the kits of the registry are checked too when one is configured ($VARDMOTE_DB_URL) or exists at
    the default location; --kits asks for them alone. A stack, the Ansible tree or a registry that
    should be there and is not is a failure.
    A target that cannot be read, an unknown value or a crashing check is a failure (fail closed).
    Waivers in policies/waivers.yaml suppress accepted findings until they expire; an expired waiver
    fails the run. Exit status 1 on any unwaived failure of a mandatory check.

    Examples:

        vardmote policy check

        vardmote policy check --stack rvn-prod --format sarif --output rvn-prod.sarif

        vardmote policy check device_profiles/invitations --format markdown

        vardmote policy check --format json --output accepted.json; vardmote policy check --baseline accepted.json

        vardmote policy check --fail-on high
    """
    from vardmote.platform.stack_files import project_dir
    from vardmote.policy.reporters import RENDERERS
    from vardmote.policy.runner import Selection, check

    selection = Selection(paths=list(paths or []), stacks=list(stack or []), profiles=profiles, kits=kits)
    accepted = _read_baseline(baseline) if baseline else frozenset()
    try:
        report = check(selection, project_dir(), profiles_dir)
    except ProblemsFound as found:  # the policy catalogue itself is broken
        print_problems(found.problems)
        fail("the policy catalogue has problems; fix them before checking anything")
        raise typer.Exit(1) from None
    report.fail_on = fail_on.value
    report.baseline = accepted
    if output_format is ReportFormat.table:
        _print_table(report)
    else:
        text = RENDERERS[output_format.value](report)
        if output is None:
            typer.echo(text, nl=False)
        else:
            _write_atomically(output, text)
    _print_summary(report, output)
    if report.failed:
        raise typer.Exit(1)


def _read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints of every finding in an earlier JSON report."""
    import json

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(
            violation["fingerprint"] for finding in document["findings"] for violation in finding["violations"]
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        fail(f"{path}: not a baseline (a report of `vardmote policy check --format json`): {err}")
        raise typer.Exit(2) from None


def _write_atomically(path: Path, text: str) -> None:
    """A report file is either the old one or the whole new one, never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Past this many findings a bordered table is slower to lay out than to read (seconds for thousands of
# kits) and no easier to scan: a summary per check, then one plain line per finding, each whole.
MAX_TABLE_ROWS = 200


def _print_table(report: Report) -> None:
    findings = sum(len(o.violations) for o in report.outcomes if o.status != "pass")
    if findings > MAX_TABLE_ROWS:
        _print_many_findings(report)
    else:
        table = findings_table(report)
        if table is not None:
            console.print(table)
    for waiver in report.waivers_in_force:
        console.print(f"waiver in force: {waiver.check} {waiver.target} until {waiver.expires} ({waiver.approved_by})")
    for waiver in report.expired_waivers:
        console.print(f"[red]expired waiver[/]: {waiver.check} {waiver.target} expired {waiver.expires}")


def _print_many_findings(report: Report) -> None:
    by_check: dict[str, list[Outcome]] = {}
    for outcome in report.outcomes:
        if outcome.status != "pass":
            by_check.setdefault(outcome.check.id, []).append(outcome)
    summary = Table("Check", "Severity", "Findings", "Fix", title="Findings by check", show_lines=True)
    for check_id, outcomes in sorted(by_check.items()):
        check = outcomes[0].check
        summary.add_row(
            check_id, check.severity, str(sum(len(o.violations) for o in outcomes)), escape(check.remediation)
        )
    console.print(summary)
    lines = []
    for check_id, outcomes in sorted(by_check.items()):
        for outcome in outcomes:
            status = f"{outcome.status} (baseline)" if report.in_baseline(outcome) else outcome.status
            for violation, location in outcome.locations():
                lines.append(f"{status} {check_id} {location or outcome.target.id}: {violation.message}\n")
    sys.stdout.write("".join(lines))
    sys.stdout.flush()


def findings_table(report: Report) -> Table | None:
    """Every finding with where, what and the fix; None when there is none."""
    findings = [o for o in report.outcomes if o.status != "pass"]
    if findings:
        table = Table(title="Findings", show_lines=True)
        # Fold, never cut: a fix or a URN with an ellipsis in the middle cannot be acted on.
        for header, ratio in (("Status", 0), ("Check", 0), ("Severity", 0), ("Where", 2), ("What is wrong", 3)):
            table.add_column(header, overflow="fold", ratio=ratio or None, no_wrap=False)
        table.add_column("Serves", overflow="fold")
        for outcome in findings:
            for violation, location in outcome.locations():
                status = f"{outcome.status} (baseline)" if report.in_baseline(outcome) else outcome.status
                table.add_row(
                    status,
                    outcome.check.id,
                    outcome.check.severity,
                    escape(str(location or outcome.target.id)),
                    f"{escape(violation.message)}\n[dim]Fix: {escape(outcome.check.remediation)}[/]",
                    ", ".join(report.requirements_of(outcome.check.id)),
                )
        return table
    return None


def _print_summary(report: Report, output: Path | None) -> None:
    counts = report.counts
    verdict = "[bold red]✗ failed[/]" if report.failed else "[bold green]✓ passed[/]"
    per_stack = ", ".join(
        f"{name} {'[red]failed[/]' if failed else 'passed'}" for name, failed in report.stack_verdicts().items()
    )
    if per_stack:
        error_console.print(f"verdict per stack: {per_stack}", soft_wrap=True)
    where = f"; report written to {output}" if output else ""
    error_console.print(
        f"{verdict}: {report.targets} targets, {len(report.checks)} checks — {counts.get('pass', 0)} passed, "
        f"{counts.get('fail', 0)} failed, {counts.get('waived', 0)} waived, {counts.get('error', 0)} errors "
        f"({report.seconds:.2f} s){where}",
        soft_wrap=True,
    )


@app.command("list")
def list_command(
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = ReportFormat.table,
) -> None:
    """List every check with its severity, what it looks at and the requirements it serves.

    Example:

        vardmote policy list --format markdown
    """
    from vardmote.policy.catalogue import all_checks, load_requirements, requirements_by_check

    serves = requirements_by_check(load_requirements())
    checks = all_checks()
    if output_format is ReportFormat.json:
        print_json(
            [
                {
                    "id": c.id,
                    "title": c.title,
                    "severity": c.severity,
                    "mandatory": c.mandatory,
                    "target_kind": c.target_kind,
                    "requirements": serves.get(c.id, []),
                }
                for c in checks
            ]
        )
        return
    rows = [(c.id, c.title, c.severity, c.target_kind, ", ".join(serves.get(c.id, []))) for c in checks]
    if output_format is ReportFormat.markdown:
        lines = ["| Check | Requirement it reads as | Severity | Looks at | Serves |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        typer.echo("\n".join(lines))
        return
    table = Table("Check", "Requirement it reads as", "Severity", "Looks at", "Serves")
    for row in rows:
        table.add_row(*row)
    console.print(table)
