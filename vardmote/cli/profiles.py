"""`vardmote profiles`: validate the region's data and keep the editors' JSON Schemas current."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vardmote.cli.console import console, error_console, fail, print_problems
from vardmote.core.problems import ProblemsFound, display_path
from vardmote.region.location import PROFILES_DIR_ENV, default_profiles_dir

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Validate and describe the region's data in device_profiles/.",
    epilog=(
        "After editing a file in device_profiles/: `vardmote profiles validate` (each problem one "
        "`file:line: field: problem` line); after changing a schema model, `vardmote profiles schema` "
        "rewrites the JSON Schemas editors use, and `--check` says whether they are current."
    ),
    no_args_is_help=True,
)


def _tree_root_of(file: Path) -> Path:
    """The profiles root a single file belongs to: its folder, or the folder above a kind's folder."""
    from vardmote.region.layout import KINDS

    kind_folders = {kind.folder for kind in KINDS if kind.folder}
    return file.parent.parent if file.parent.name in kind_folders else file.parent


@app.command()
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A profiles tree, or one file in it. Default: the profiles shipped with vardmote "
            f"(or ${PROFILES_DIR_ENV}).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check every profile file against its schema and the rules that span files.

    Each problem is printed as one line, `file:line: field: problem`, ready for an editor to jump to.
    Unknown keys (typos) and duplicate keys are problems too. Nothing is ever written.
    Exit status: 0 when everything is valid, 1 when anything is not.

    Examples:

        vardmote profiles validate

        vardmote profiles validate device_profiles/municipalities/timra.yaml
    """
    from vardmote.region.catalogue import load_catalogue

    target = path or default_profiles_dir()
    if not target.exists():
        fail(f"{target}: no such file or directory")
        raise typer.Exit(1)
    only_file = target.resolve() if target.is_file() else None
    root = _tree_root_of(target) if target.is_file() else target
    try:
        catalogue = load_catalogue(root)
    except ProblemsFound as found:
        problems = [p for p in found.problems if only_file is None or p.file.resolve() == only_file]
        if problems:
            count = print_problems(problems)
            error_console.print(f"[bold red]✗[/] {count} problem(s) in {display_path(target)}")
            raise typer.Exit(1) from None
        console.print(
            f"[green]✓[/] {display_path(target)} is valid (other files in {display_path(root)} have problems)"
        )
        return
    if only_file is not None:
        console.print(f"[green]✓[/] {display_path(target)} is valid")
        return
    console.print(
        f"[green]✓[/] {display_path(root)}: {catalogue.file_count} files valid "
        f"(region, responsibilities, kit, {len(catalogue.municipalities)} municipalities, "
        f"{len(catalogue.models)} device models, {len(catalogue.kiosk_profiles)} kiosk and "
        f"{len(catalogue.broadband_profiles)} broadband profiles, {len(catalogue.invitations)} invitations)",
        soft_wrap=True,
    )


@app.command()
def schema(
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if a schema file is missing or out of date.")
    ] = False,
    path: Annotated[
        Path | None,
        typer.Argument(help="The profiles tree whose schemas/ folder to write.", show_default=False),
    ] = None,
) -> None:
    """Export the JSON Schema of every kind of profile file into device_profiles/schemas/.

    Each YAML file points its editor at its schema with a first line such as
    `# yaml-language-server: $schema=../schemas/municipality.schema.json`, so a typo is underlined
    as it is typed. Run this after changing a schema model; the tests fail while a schema is stale.
    """
    from vardmote.region import layout
    from vardmote.region.json_schema import stale_schema_files, write_schemas

    root = path or default_profiles_dir()
    if check:
        stale = stale_schema_files(root)
        for file in stale:
            error_console.print(f"{display_path(file)}: out of date; run `vardmote profiles schema`")
        if stale:
            raise typer.Exit(1)
        console.print(
            f"[green]✓[/] {len(layout.KINDS)} schemas in {display_path(root / layout.SCHEMA_DIR)} are current"
        )
        return
    written = write_schemas(root)
    for file in written:
        console.print(f"wrote {display_path(file)}")
    if not written:
        console.print("schemas already current; nothing written")
