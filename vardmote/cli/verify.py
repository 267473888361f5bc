"""`vardmote verify`: prove a deployed stack's hosts against the port table, TLS, TURN, SIP and SSH rules."""

from __future__ import annotations

from typing import Annotated

import typer

from vardmote.cli.console import console, fail
from vardmote.cli.deploy import InventoryOption, Stack
from vardmote.cli.stack_option import project_of_stack

# pytest's ExitCode.NO_TESTS_COLLECTED, which it also gives when -k deselected every check (pytest loads
# only when the checks run).
NO_CHECK_SELECTED = 5


def verify(
    stack: Stack,
    inventory: InventoryOption = None,
    select: Annotated[
        str | None,
        typer.Option("--select", "-k", help="Run only the checks whose names match (pytest -k expression)."),
    ] = None,
) -> None:
    """Check the stack's hosts end to end over SSH (testinfra with paramiko: no ssh client needed).

    Services run and listen only on their ports (vardmote/verify/expectations.yml); the firewall
    drops everything else when probed from another host; TLS 1.0 and 1.1 are refused and 1.2 and 1.3
    accepted with certificates that verify; a TURN allocation succeeds with REST credentials and fails
    without, and relays reach no internal range but the conferencing networks; the gateway answers SIP
    OPTIONS over TLS and nothing on UDP 5060; sshd offers public keys only; the portal answers through
    the reverse proxy with HSTS. In the lab, a real call too: two browsers in the patient's home join a
    room with media through TURN over 443 only, a relative dials in through the operator's trunk and a
    room dials out, RTP counted both ways. Each failure names the host, the port or the hop (DNS, TLS,
    TURN allocation, ICE, media, the SIP reply) and what is wrong.

    Examples:

        sudo vardmote verify --stack lab

        sudo vardmote verify --stack lab --select tls
    """
    from vardmote.lab.stack_inventory import InventoryMissing, inventory_for
    from vardmote.verify.runner import CHECKS_DIR, run_checks

    project_of_stack(stack)
    try:
        found = inventory_for(stack, inventory)
    except InventoryMissing as err:
        fail(str(err))
        raise typer.Exit(1) from None
    console.print(f"inventory: {found.source}")
    exit_code = run_checks(found.path, select)
    if select and exit_code == NO_CHECK_SELECTED:
        groups = ", ".join(sorted(path.stem.removeprefix("test_") for path in CHECKS_DIR.glob("test_*.py")))
        fail(f"--select {select}: no check matched (the groups: {groups}; a full run's lines name each check)")
        raise typer.Exit(2)
    if exit_code == 0:
        console.print(f"[bold green]✓[/] {stack}: every check passed")
        return
    fail(f"{stack}: verification failed (see the FAILED lines above)")
    raise typer.Exit(1)
