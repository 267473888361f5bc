"""`vardmote quickstart`: the main job on the embedded defaults, the first thing a new user runs."""

from __future__ import annotations

import os
from pathlib import Path

from rich.table import Table

from vardmote.cli.catalogue_option import ProfilesDir, load_or_exit
from vardmote.cli.console import console
from vardmote.cli.kit import enroll
from vardmote.cli.policy import ReportFormat, check_command
from vardmote.cli.preview import PreviewFormat, preview
from vardmote.cli.responsibilities import OutputFormat, _print_matrix, matrix_of
from vardmote.core.problems import display_path
from vardmote.region.location import default_profiles_dir

EXAMPLE_SECRETS = ("VARDMOTE_APN_PASSWORD_RVN", "VARDMOTE_APN_PASSWORD_SUNDSVALL")


def _quickstart_dir() -> Path:
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    folder = data / "vardmote" / "quickstart"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def quickstart(profiles_dir: ProfilesDir = None) -> None:
    """Validate all of the region's data and show who does what, on the embedded defaults.

    This is the tour for a new user: it needs no configuration, network or credentials.
    Step 1 validates every file in device_profiles/ and the rules that span them (exit 1 on
    any problem, each on its own `file:line: field: problem` line). Step 2 shows each
    municipality's contract alternative and support contact, and step 3 the responsibility
    matrix of routine 5.2, step 4 previews the lab stack of the video platform offline, and step 5
    runs the security review's checks over the whole project (exit 1 if any mandatory check fails),
    and step 6 enrolls the example kits (one per municipality) through Ansible into a registry of
    its own, with example APN passwords, so nothing touches your real registry or secrets.
    """
    console.rule("[bold]1. The region's data")
    catalogue = load_or_exit(profiles_dir)
    console.print(f"[green]✓[/] {catalogue.file_count} profile files in {display_path(catalogue.root)} are valid")

    console.rule("[bold]2. Municipalities and their alternative")
    matrix = matrix_of(catalogue)
    table = Table("Kommun", "Kod", "Alt", "Support and replacement", "Kiosk", "Broadband", "MDM")
    for sourced in sorted(catalogue.municipalities.values(), key=lambda s: s.model.code):
        municipality = sourced.model
        contact = matrix.support_contact(municipality)
        table.add_row(
            municipality.name,
            municipality.code,
            str(municipality.alternative),
            f"{contact.name}, {contact.phone}",
            municipality.kiosk_profile,
            municipality.broadband_profile,
            municipality.mdm_driver,
        )
    console.print(table)
    if any(s.model.example_data for s in catalogue.municipalities.values()):
        console.print(
            "[yellow]Note:[/] alternatives and contacts are example data until the municipalities confirm them."
        )

    console.rule("[bold]3. Responsibilities (routine 5.1–5.2)")
    _print_matrix(matrix, OutputFormat.table)

    console.rule("[bold]4. The video platform, lab stack (offline preview)")
    preview(stack="lab", output_format=PreviewFormat.tree, addresses=False)

    console.rule("[bold]5. Security review (vardmote policy check)")
    check_command(paths=None, stack=None, profiles=False, kits=False, output_format=ReportFormat.table, output=None)

    console.rule("[bold]6. The example kits, enrolled through Ansible")
    demo = _quickstart_dir()
    registry = demo / "registry.sqlite"
    if registry.exists():  # kept between runs, also from another clone: say why the kits are known already
        console.print(
            f"The examples' own registry and bundles are in {demo} from an earlier quickstart: the kits "
            "there are found enrolled, and enrolling them again changes nothing (remove the folder to start over)."
        )
    for name in EXAMPLE_SECRETS:
        os.environ.setdefault(name, "example-only-not-a-secret")
    examples = default_profiles_dir() / "examples" / "kits.csv"
    enroll(
        batch=examples,
        db_url=f"sqlite:///{registry}",
        bundle_dir=demo / "bundles",
        profiles_dir=profiles_dir,
    )
    console.print(f"Registry and bundles of the examples: {demo}")
