"""The Ansible inventory of a stack: what `pulumi stack output ansible_inventory` gives, or the lab's."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.core.file_writing import write_atomically
from vardmote.lab.hosts import LAB_STACK
from vardmote.lab.layout import LabLayout
from vardmote.platform.engine import find_pulumi, lab_state_dir, run_pulumi
from vardmote.platform.stack_files import project_dir

STACK_INVENTORY = "10-stack.json"


class InventoryMissing(Exception):
    """No inventory for the stack; the message says how to get one."""


@dataclass(frozen=True)
class Inventory:
    path: Path
    source: str  # where its hosts came from, for the user to see


def inventory_for(stack: str, explicit: Path | None) -> Inventory:
    """`explicit` when given; for the lab, the inventory `vardmote lab up` wrote, its hosts taken from the
    deployed lab stack's outputs where `pulumi up --stack lab` has run."""
    if explicit is not None:
        if not explicit.exists():
            raise InventoryMissing(f"--inventory {explicit}: no such file or folder")
        return Inventory(explicit, str(explicit))
    if stack == LAB_STACK:
        layout = LabLayout.from_environment()
        folder = layout.inventory_dir
        if layout.lab_dir.exists() and not os.access(layout.lab_dir, os.R_OK | os.X_OK):
            raise InventoryMissing(f"the lab's files in {layout.lab_dir} are root's: run this with sudo")
        if not (folder / STACK_INVENTORY).exists():
            raise InventoryMissing(f"no lab inventory in {folder}: make the lab first with `vardmote lab up`")
        deployed = deployed_lab_inventory()
        if deployed is None:
            planned = f"the lab stack as planned: no `pulumi up --stack lab` in {lab_state_dir()}"
            return Inventory(folder, f"{folder} ({planned})")
        write_atomically(folder / STACK_INVENTORY, json.dumps(deployed, indent=2, sort_keys=True).encode(), 0o644)
        return Inventory(folder, f"{folder} (the deployed lab stack's outputs, state in {lab_state_dir()})")
    raise InventoryMissing(
        f"stack {stack}: pass --inventory FILE, the stack's exported inventory "
        f"(`pulumi stack output --stack {stack} --json ansible_inventory > {stack}-inventory.json`)"
    )


def deployed_lab_inventory() -> dict[str, object] | None:
    """`pulumi stack output ansible_inventory` of the lab stack, or None where there is no engine or the
    stack has not been deployed in the lab's backend."""
    if find_pulumi() is None or not lab_state_dir().is_dir():
        return None
    result = run_pulumi(
        ["stack", "output", "ansible_inventory", "--json", "--stack", LAB_STACK, "--non-interactive"],
        cwd=project_dir(),
        timeout=120,
    )
    if result.returncode != 0 or not result.stdout.strip():
        return None
    inventory = whole_numbers(json.loads(result.stdout))
    return inventory if isinstance(inventory, dict) and "all" in inventory else None


def whole_numbers(value: Any) -> Any:
    """The engine keeps every number as a double: a port of 5061 comes back as 5061.0, which a template
    would print so. Whole ones are ints again, as the program exported them."""
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
