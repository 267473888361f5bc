"""`vardmote municipality …`: what changes for a whole municipality at once."""

from __future__ import annotations

import typer

from vardmote.cli.kit import switch_alternative

app = typer.Typer(
    help="A municipality's choices: its contract alternative, for its profile and every kit of it.",
    no_args_is_help=True,
)
app.command("set-alternative")(switch_alternative)
