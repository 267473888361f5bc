"""`vardmote deploy`: configure a stack's Linux hosts (edge/TURN, portal, gateway, baseline) with site.yml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from vardmote.cli.changes import print_changes
from vardmote.cli.console import console, fail
from vardmote.cli.stack_option import project_of_stack

if TYPE_CHECKING:
    from vardmote.core.playbooks import PlaybookResult

# One fork per host of a region's site is plenty; the lab has six.
FORKS = 10

Stack = Annotated[
    str, typer.Option("--stack", "-s", help="The stack whose hosts to work on (lab, rvn-test, rvn-prod).")
]
InventoryOption = Annotated[
    Path | None,
    typer.Option(
        "--inventory",
        "-i",
        help="The stack's exported inventory (JSON or YAML file, or a folder). Default for the lab: the one "
        "`vardmote lab up` wrote, with the deployed lab stack's outputs once `pulumi up --stack lab` has run.",
        show_default=False,
    ),
]


def deploy(
    stack: Stack,
    inventory: InventoryOption = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Show what would change, without changing anything: Ansible's check mode, then each task "
            "that would change as `host: task` with a unified diff of each file.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="In a real run too, show each task that changed as `host: task` with a diff of each file."
        ),
    ] = False,
) -> None:
    """Run `provisioning/site.yml` on the stack's hosts through ansible-runner, with progress and a recap.

    Every host gets the baseline (SSH keys only, default-drop firewall with its role's allow list,
    chrony, security updates, journald retention); then the edge (nginx reverse proxy and coturn),
    portal, gateway (Kamailio on TLS 5061) and, in the lab, Janus as the conferencing stand-in.
    A second run changes nothing (changed=0). Secrets come from the vault or the environment:
    `VARDMOTE_TURN_SHARED_SECRET` and `VARDMOTE_SIP_TRUNK_PASSWORD`; the lab makes its own.

    Examples:

        sudo vardmote deploy --stack lab

        vardmote deploy --stack rvn-test --inventory rvn-test-inventory.json --check
    """
    from vardmote.core.playbooks import run_playbook
    from vardmote.lab.stack_inventory import InventoryMissing, inventory_for

    project_of_stack(stack)
    try:
        found = inventory_for(stack, inventory)
    except InventoryMissing as err:
        fail(str(err))
        raise typer.Exit(1) from None
    console.print(f"inventory: {found.source}")
    with console.status("starting Ansible…") as status:
        result = run_playbook(
            "site.yml",
            {},
            on_task=lambda task: status.update(f"[bold]{task}[/]…"),
            check=check,
            diff=diff,
            inventory=found.path,
            forks=FORKS,
        )
    _print_recap(result, show_changes=check or diff)
    if result.interrupted:
        fail(
            "interrupted: ansible-playbook and its workers are stopped, and a host may be half-way through a "
            "task; run the same command again to finish"
        )
        raise typer.Exit(130)
    if not result.ok:
        for host, task, message in result.failed_tasks:
            fail(f"{host}: {task}: {one_line(message)}")
        if not result.failed_tasks:
            for failure in result.failures:
                fail(failure)
        raise typer.Exit(1)
    changed = sum(counts.get("changed", 0) for counts in result.stats.values())
    verb = "would change" if check else "changed"
    console.print(f"[bold green]✓[/] {stack}: {len(result.stats)} hosts configured, {verb}={changed}")


def one_line(message: str) -> str:
    """A task's failure as one line: a connection's failure comes with the lines the other end printed
    (Mitogen: "EOF on stream; last 100 lines received:" and then ssh's own words), the last of which
    says why."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else message
    return f"{lines[0].rstrip(':')}: {lines[-1]}"


def _print_recap(result: PlaybookResult, *, show_changes: bool) -> None:
    """The counts per host; then, when asked for (check mode, or --diff), each changed task and its diff."""
    if not result.stats:
        return
    table = Table("host", "ok", "changed", "failed", "unreachable", title="recap")
    for host, counts in sorted(result.stats.items()):
        table.add_row(
            host,
            str(counts.get("ok", 0)),
            str(counts.get("changed", 0)),
            str(counts.get("failures", 0)),
            str(counts.get("dark", 0)),
        )
    console.print(table)
    if show_changes:
        print_changes(result.changes)
