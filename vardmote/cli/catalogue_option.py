"""The `--profiles-dir` option every command that reads device_profiles/ shares, and loading behind it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vardmote.cli.console import error_console, print_problems
from vardmote.core.problems import ProblemsFound
from vardmote.region.location import PROFILES_DIR_ENV, default_profiles_dir

if TYPE_CHECKING:
    from vardmote.region.catalogue import ProfileCatalogue

ProfilesDir = Annotated[
    Path | None,
    typer.Option(
        "--profiles-dir",
        envvar=PROFILES_DIR_ENV,
        help="The device_profiles tree to read. Default: the profiles shipped with vardmote.",
        show_default=False,
    ),
]


def load_or_exit(profiles_dir: Path | None) -> ProfileCatalogue:
    """The validated catalogue, or every problem printed one per line and exit status 1."""
    from vardmote.region.catalogue import load_catalogue

    root = profiles_dir or default_profiles_dir()
    try:
        return load_catalogue(root)
    except ProblemsFound as found:
        count = print_problems(found.problems)
        error_console.print(f"[bold red]✗[/] {count} problem(s) in {root}; fix them and run again")
        raise typer.Exit(1) from None
