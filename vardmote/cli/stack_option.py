"""The stack a command is given, checked against the project's `Pulumi.<stack>.yaml` files first."""

from __future__ import annotations

from pathlib import Path

import typer

from vardmote.cli.console import fail


def project_of_stack(stack: str) -> Path:
    """The Pulumi project, once `stack` is one of its stacks; else one line on stderr and exit status 1,
    before anything is read, run or written under a misspelt name."""
    from vardmote.platform.stack_files import UnknownStack, project_dir, require_stack

    project = project_dir()
    try:
        require_stack(project, stack)
    except UnknownStack as err:
        fail(str(err))
        raise typer.Exit(1) from None
    return project
