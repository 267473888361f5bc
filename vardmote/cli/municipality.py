"""`vardmote municipality …`: what changes for a whole municipality at once."""

from __future__ import annotations

import typer

from vardmote.cli.kit import switch_alternative

app = typer.Typer(
    rich_markup_mode="markdown",
    help="A municipality's choices: its contract alternative, for its profile and every kit of it.",
    epilog=(
        "A change of alternative (Alt 1: rented from the Region, which supports it; Alt 2: owned and supported "
        "by the municipality), first as a plan:  \n"
        "`vardmote municipality set-alternative Timrå 1 --broadband-profile rvn-private-apn "
        '--reason "avtal 2027" --dry-run`, then the same without `--dry-run`. '
        "docs/technician-runbook.md says what changes for each kit."
    ),
    no_args_is_help=True,
)
app.command("set-alternative")(switch_alternative)
