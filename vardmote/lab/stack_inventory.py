"""The Ansible inventory of a stack: what `pulumi stack output ansible_inventory` gives, or the lab's."""

from __future__ import annotations

import os
from pathlib import Path

from vardmote.lab.hosts import LAB_STACK
from vardmote.lab.layout import LabLayout


class InventoryMissing(Exception):
    """No inventory for the stack; the message says how to get one."""


def inventory_for(stack: str, explicit: Path | None) -> Path:
    """`explicit` when given; for the lab, the inventory `vardmote lab up` wrote."""
    if explicit is not None:
        if not explicit.exists():
            raise InventoryMissing(f"--inventory {explicit}: no such file or folder")
        return explicit
    if stack == LAB_STACK:
        layout = LabLayout.from_environment()
        folder = layout.inventory_dir
        if layout.lab_dir.exists() and not os.access(layout.lab_dir, os.R_OK | os.X_OK):
            raise InventoryMissing(f"the lab's files in {layout.lab_dir} are root's: run this with sudo")
        if not (folder / "10-stack.json").exists():
            raise InventoryMissing(f"no lab inventory in {folder}: make the lab first with `vardmote lab up`")
        return folder
    raise InventoryMissing(
        f"stack {stack}: pass --inventory FILE, the stack's exported inventory "
        f"(`pulumi stack output --stack {stack} --json ansible_inventory > {stack}-inventory.json`)"
    )
