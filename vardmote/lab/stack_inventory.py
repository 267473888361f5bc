"""The Ansible inventory of a stack: what `pulumi stack output ansible_inventory` gives, or the lab's."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.core.file_writing import write_atomically
from vardmote.core.problems import FieldPath, ProblemsFound
from vardmote.core.sourced_yaml import SourcedDocument, load_sourced_yaml
from vardmote.lab.hosts import LAB_STACK
from vardmote.lab.layout import LabLayout
from vardmote.platform.engine import find_pulumi, lab_state_dir, run_pulumi
from vardmote.platform.stack_files import project_dir

STACK_INVENTORY = "10-stack.json"
INVENTORY_SUFFIXES = (".json", ".yml", ".yaml")
GROUP_KEYS = ("hosts", "children", "vars")
# Beside an inventory folder's files, Ansible reads these folders as variables, not as inventories.
VARIABLE_FOLDERS = ("group_vars", "host_vars")
# Files Ansible itself skips in an inventory folder (its INVENTORY_IGNORE_EXTS), and editors' backups.
IGNORED_SUFFIXES = (".md", ".txt", ".rst", ".orig", ".bak", ".swp", ".retry", ".cfg", ".pyc", ".pyo", "~")


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
        # Absolute: ansible-runner runs Ansible in a folder of its own, where a relative path names
        # nothing and Ansible takes the string for a host's name.
        path = explicit.resolve()
        check_inventory(path, f"--inventory {explicit}")
        return Inventory(path, str(explicit))
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


def check_inventory(path: Path, named: str) -> None:
    """Refuse what is not an Ansible inventory before Ansible is given it: Ansible takes any file (a line
    of /etc/passwd becomes a host, a README none, `{}` a host called `{}`) and walks any folder. An
    inventory is a JSON or YAML file mapping groups to `hosts:`, `children:` and `vars:`, or a folder of
    such files (as `vardmote lab up` writes) with their group_vars/ and host_vars/; at least one host."""
    if path.is_dir():
        files = []
        for item in sorted(path.iterdir()):
            if item.name.startswith(".") or item.name.endswith(IGNORED_SUFFIXES):
                continue
            if item.is_dir():
                if item.name not in VARIABLE_FOLDERS:
                    raise InventoryMissing(
                        f"{named}: {item.name}/: not an inventory's folder (only {' and '.join(VARIABLE_FOLDERS)})"
                    )
                continue
            files.append(item)
        if not files:
            raise InventoryMissing(f"{named}: no inventory files in the folder (JSON or YAML)")
    else:
        files = [path]
    hosts = 0
    for file in files:
        # A folder's file is named in the message; a file given alone already is.
        where = f"{named}: {file.name}" if file != path else named
        if file.suffix not in INVENTORY_SUFFIXES:
            raise InventoryMissing(f"{where}: not a JSON or YAML inventory (.json, .yml or .yaml)")
        try:
            hosts += _hosts_in(load_sourced_yaml(file))
        except ProblemsFound as found:
            problem = found.problems[0]
            field = f" {problem.field}:" if problem.field else ""
            raise InventoryMissing(f"{where}: line {problem.line}:{field} {problem.message}") from None
    if hosts == 0:
        where = " in the folder's files" if path.is_dir() else ""
        raise InventoryMissing(f"{named}: no hosts{where} (a group's `hosts:` names them)")


def _hosts_in(document: SourcedDocument) -> int:
    """How many hosts a file's groups name (ProblemsFound for what is not an Ansible group)."""
    if not isinstance(document.data, dict):
        raise ProblemsFound(
            [document.problem((), "not an Ansible inventory: a mapping of groups (all:, children:, hosts:) expected")]
        )
    return sum(_hosts_of_group(document, (str(name),), group) for name, group in document.data.items())


def _hosts_of_group(document: SourcedDocument, loc: FieldPath, group: Any) -> int:
    if group is None:
        return 0
    if not isinstance(group, dict):
        raise ProblemsFound([document.problem(loc, "a group must be a mapping of hosts:, children: and vars:")])
    unknown = [key for key in group if key not in GROUP_KEYS]
    if unknown:
        raise ProblemsFound(
            [document.problem((*loc, str(unknown[0])), "not a group's key (hosts:, children: or vars:)")]
        )
    for key in GROUP_KEYS:
        if group.get(key) is not None and not isinstance(group[key], dict):
            raise ProblemsFound([document.problem((*loc, key), "must be a mapping")])
    hosts = group.get("hosts") or {}
    for name, variables in hosts.items():
        if variables is not None and not isinstance(variables, dict):
            raise ProblemsFound([document.problem((*loc, "hosts", str(name)), "a host's variables must be a mapping")])
    children = group.get("children") or {}
    return len(hosts) + sum(
        _hosts_of_group(document, (*loc, "children", str(name)), child) for name, child in children.items()
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
