"""The `vardmote` command: one front door for regional IT, technicians and security reviewers."""

from __future__ import annotations

import typer

from vardmote import __version__
from vardmote.cli import kit, lab, municipality, policy, profiles, room
from vardmote.cli.deploy import deploy
from vardmote.cli.preview import preview
from vardmote.cli.quickstart import quickstart
from vardmote.cli.responsibilities import responsibilities
from vardmote.cli.verify import verify

app = typer.Typer(
    rich_markup_mode="markdown",
    name="vardmote",
    help="Run secure digital care meetings for Region Västernorrland and its municipalities: "
    "the region's data, the tablet kits and the video platform.\n\n"
    "New here? Run `vardmote quickstart`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(profiles.app, name="profiles")
app.add_typer(policy.app, name="policy")
app.add_typer(kit.app, name="kit")
app.add_typer(municipality.app, name="municipality")
app.add_typer(lab.app, name="lab")
app.add_typer(room.app, name="room")
app.command()(quickstart)
app.command()(responsibilities)
app.command()(preview)
app.command()(deploy)
app.command()(verify)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"vardmote {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Run secure digital care meetings for Region Västernorrland and its municipalities."""


def main() -> None:
    """Run the command line (the console script goes through vardmote.cli.entry, which also tunes GC)."""
    app()
