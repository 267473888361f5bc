"""`vardmote lab`: the `lab` stack's hosts as containers on this machine, to prove changes on."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from vardmote.cli.console import console, error_console, fail, print_problems
from vardmote.core.problems import ProblemsFound

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Run the `lab` stack's hosts as systemd-nspawn containers on this machine (needs root).",
    epilog=(
        "A change proved in the lab:  \n"
        "`sudo vardmote lab up` → `sudo .venv/bin/python -m vardmote.platform.engine up --stack lab --yes` → "
        "`sudo vardmote deploy --stack lab` → `sudo vardmote verify --stack lab` → `sudo vardmote lab down`. "
        "`lab home web|open|closed` chooses what the patient's home lets out. docs/lab.md says what each "
        "step makes and proves."
    ),
    no_args_is_help=True,
)


def _say(message: str) -> None:
    error_console.print(f"[dim]·[/] {message}", soft_wrap=True)


@app.command()
def up(
    ssh_timeout: Annotated[
        float, typer.Option("--ssh-timeout", help="Seconds to wait, in all, for every host to answer SSH.")
    ] = 90.0,
) -> None:
    """Make the lab: the base image (built once, then cached), a bridge that routes between the stack's
    networks, NAT out, and each host booted in its own network namespace with SSH keys made for this lab.

    Safe to run again: what exists is kept and what is missing is made. Waits until every host answers
    SSH and names any that did not. Paths: `VARDMOTE_LAB_DIR` (default /var/lib/vardmote/lab),
    `VARDMOTE_LAB_IMAGE_CACHE` (default /var/cache/vardmote/lab), `VARDMOTE_LAB_MIRROR` (Debian mirror).

    Examples:

        sudo vardmote lab up

        sudo vardmote lab up && sudo vardmote deploy --stack lab && sudo vardmote verify --stack lab
    """
    from vardmote.lab.layout import LabLayout
    from vardmote.lab.lifecycle import up as lab_up
    from vardmote.lab.system import LabError
    from vardmote.platform.stack_files import project_dir

    layout = LabLayout.from_environment()
    try:
        state = lab_up(layout, project_dir(), ssh_timeout, _say)
    except ProblemsFound as found:
        print_problems(found.problems)
        raise typer.Exit(1) from None
    except (LabError, OSError) as err:
        made = layout.lab_dir.exists()
        fail(
            f"{err} (what was made is kept: run `vardmote lab up` again, or `vardmote lab down`)" if made else str(err)
        )
        raise typer.Exit(1) from None
    console.print(f"[bold green]✓[/] lab up: {len(state.hosts)} hosts answer SSH; inventory in {layout.inventory_dir}")


@app.command()
def status() -> None:
    """Show each lab host (running, SSH port open, the Pexip service it plays) and the lab's network objects.

    Examples:

        sudo vardmote lab status
    """
    from vardmote.lab.layout import LabLayout
    from vardmote.lab.lifecycle import status as lab_status
    from vardmote.lab.system import LabError

    try:
        hosts, network = lab_status(LabLayout.from_environment())
    except LabError as err:
        fail(str(err))
        raise typer.Exit(1) from None
    if not hosts and not network:
        console.print("no lab on this machine (make one with `vardmote lab up`)")
        return
    table = Table("host", "role", "address", "running", "ssh", "Pexip service")
    for host in hosts:
        service = "—" if host.serves is None else _yes(host.serves)
        table.add_row(host.name, host.role, host.address, _yes(host.running), _yes(host.ssh_port_open), service)
    console.print(table)
    console.print("network: " + (", ".join(network) or "none"))
    from vardmote.lab import internet

    policy = internet.home_policy()
    if policy is not None:
        console.print(f"home ({internet.HOME.netns}, behind {internet.HOME.public}): {internet.HOME_POLICIES[policy]}")
    if any(not (host.running and host.ssh_port_open) or host.serves is False for host in hosts):
        raise typer.Exit(1)


class HomeChoice(StrEnum):
    """The lab's home policies (internet.HOME_POLICIES), as choices `--help` lists and click checks."""

    web = "web"
    open = "open"
    closed = "closed"


@app.command()
def home(
    policy: Annotated[
        HomeChoice,
        typer.Argument(help="web: only TCP/443 and DNS out (the default); open: everything; closed: nothing but DNS."),
    ],
) -> None:
    """Choose what the lab's patient home (the `vmlab-home` namespace) lets out through its router.

    `vardmote lab up` starts it as `web`, the strict home or mobile network that TURN over 443 is for;
    `open` is an ordinary home network (TURN over UDP works too); `closed` is a connection that is down.

    Examples:

        sudo vardmote lab home open

        sudo vardmote lab home web
    """
    from vardmote.lab import internet
    from vardmote.lab.system import LabError, require_root

    try:
        require_root("home")
        internet.set_home_policy(policy.value)
    except LabError as err:
        fail(str(err))
        raise typer.Exit(1) from None
    console.print(f"[bold green]✓[/] home: {internet.HOME_POLICIES[policy.value]}")


def _yes(value: bool) -> str:
    return "[green]yes[/]" if value else "[red]no[/]"


@app.command()
def down() -> None:
    """Remove the lab: every container, mount, network namespace, link, nft table, cgroup and the lab's
    folder (keys, certificates, inventory). The cached base image stays for the next `up`.

    Examples:

        sudo vardmote lab down
    """
    from vardmote.lab.layout import LabLayout
    from vardmote.lab.lifecycle import down as lab_down
    from vardmote.lab.system import LabError

    try:
        left = lab_down(LabLayout.from_environment(), _say)
    except (LabError, OSError) as err:
        fail(str(err))
        raise typer.Exit(1) from None
    if left:
        fail(f"the lab left these behind: {', '.join(left)}")
        raise typer.Exit(1)
    console.print("[bold green]✓[/] lab down: nothing of it is left on this machine")
    from vardmote.platform.engine import lab_stack_objects

    made = lab_stack_objects()
    if made:  # their Management API went with the lab: the next `lab up` brings a fresh, empty one
        error_console.print(
            f"[yellow]Note:[/] the lab stack's engine state still lists {made} objects of the lab's Management "
            "API, which is gone with the lab. After the next `lab up`, `python -m vardmote.platform.engine "
            "refresh --stack lab --yes` and then `… up --stack lab --yes` make them again "
            "(or run `… destroy --stack lab --yes` before `lab down`).",
            soft_wrap=True,
        )
