"""`vardmote responsibilities`: who does what under Alt 1 and Alt 2, or for one municipality."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from vardmote.cli.catalogue_option import ProfilesDir, load_or_exit
from vardmote.cli.console import console, fail, print_json

if TYPE_CHECKING:
    from vardmote.region.catalogue import ProfileCatalogue
    from vardmote.region.matrix import ResponsibilityMatrix
    from vardmote.region.schema import Municipality


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def matrix_of(catalogue: ProfileCatalogue) -> ResponsibilityMatrix:
    from vardmote.region.matrix import ResponsibilityMatrix

    return ResponsibilityMatrix(catalogue.responsibilities.model, catalogue.region.model)


def responsibilities(
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Show who carries each duty for this municipality: name, file name or kommunkod (Timrå, timra, 2262).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table for people, json for scripts, markdown for docs.")
    ] = OutputFormat.table,
    profiles_dir: ProfilesDir = None,
) -> None:
    """Show the responsibility matrix of routine 5.1 and 5.2, derived from responsibilities.yaml.

    Without --municipality: every duty with its responsible party under Alt 1 (the municipality rents
    the service package from the Region, 5.2.1) and Alt 2 (the municipality owns its equipment, 5.2.2).
    With --municipality: every duty with the party that carries it for that municipality, given the
    alternative it chose, and whom to contact.

    Examples:

        vardmote responsibilities

        vardmote responsibilities --municipality Timrå --format json
    """
    catalogue = load_or_exit(profiles_dir)
    matrix = matrix_of(catalogue)
    if municipality is None:
        _print_matrix(matrix, output_format)
        return
    try:
        _, chosen = catalogue.find_municipality(municipality)
    except LookupError as err:
        fail(f"--municipality: {err}")
        raise typer.Exit(2) from None
    _print_assignments(matrix, chosen, output_format)


def matrix_rows(matrix: ResponsibilityMatrix) -> list[dict[str, Any]]:
    return [
        {
            "id": duty.id,
            "name_sv": duty.name_sv,
            "name_en": duty.name_en,
            "kind": duty.kind,
            "routine": duty.routine,
            "alt1": matrix.responsible(duty.id, 1),
            "alt2": matrix.responsible(duty.id, 2),
        }
        for duty in matrix.duties
    ]


def assignment_rows(matrix: ResponsibilityMatrix, municipality: Municipality) -> list[dict[str, Any]]:
    return [
        {
            "id": a.duty.id,
            "name_sv": a.duty.name_sv,
            "name_en": a.duty.name_en,
            "party": a.party,
            "party_name": a.party_name,
            "contact": a.contact.model_dump(exclude_none=True),
        }
        for a in matrix.for_municipality(municipality)
    ]


def _print_matrix(matrix: ResponsibilityMatrix, output_format: OutputFormat) -> None:
    rows = matrix_rows(matrix)
    if output_format is OutputFormat.json:
        print_json({"duties": rows})
        return
    headers = ["Duty (ansvar)", "Routine", "Alt 1 (rent)", "Alt 2 (own)"]
    cells = [
        [f"{row['name_sv']}", ", ".join(row["routine"]), matrix.party_name(row["alt1"]), matrix.party_name(row["alt2"])]
        for row in rows
    ]
    _emit(headers, cells, output_format, title="Ansvarsfördelning, rutin 5.1–5.2")


def _print_assignments(matrix: ResponsibilityMatrix, municipality: Municipality, output_format: OutputFormat) -> None:
    rows = assignment_rows(matrix, municipality)
    if output_format is OutputFormat.json:
        document = {
            "municipality": {
                "name": municipality.name,
                "code": municipality.code,
                "alternative": municipality.alternative,
            },
            "duties": rows,
        }
        print_json(document)
        return
    headers = ["Duty (ansvar)", "Responsible", "Contact"]
    cells = [
        [row["name_sv"], row["party_name"], f"{row['contact']['name']}, {row['contact']['phone']}"] for row in rows
    ]
    title = f"{municipality.name} ({municipality.code}), alternativ {municipality.alternative}"
    _emit(headers, cells, output_format, title=title)


def _emit(headers: list[str], cells: list[list[str]], output_format: OutputFormat, title: str) -> None:
    if output_format is OutputFormat.markdown:
        lines = [f"### {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in cells]
        console.print("\n".join(lines), markup=False, soft_wrap=True)
        return
    table = Table(*headers, title=title, show_lines=False)
    for row in cells:
        table.add_row(*row)
    console.print(table)
