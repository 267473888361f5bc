"""`vardmote deploy` against a stack's exported inventory: the recap, and a host it cannot reach named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vardmote.cli.app import app
from vardmote.core import playbooks
from vardmote.core.playbooks import PlaybookResult
from vardmote.lab.stack_inventory import check_inventory, inventory_for
from vardmote.platform.stack_files import project_dir


def test_an_unreachable_host_is_one_line_naming_host_task_and_reason(tmp_path: Path) -> None:
    inventory = tmp_path / "rvn-test-inventory.json"
    inventory.write_text(
        json.dumps(
            {
                "all": {
                    "vars": {"ansible_user": "root", "ansible_port": 1},  # nothing listens on port 1
                    "children": {"portal": {"hosts": {"portal-01": {"ansible_host": "127.0.0.9"}}}},
                }
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["deploy", "--stack", "rvn-test", "--inventory", str(inventory)])
    assert result.exit_code == 1
    assert "portal-01" in result.stdout  # the recap
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: portal-01: Gathering Facts: ")
    assert "127.0.0.9 port 1: Connection refused" in line


def test_a_missing_inventory_file_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["deploy", "--stack", "rvn-test", "--inventory", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: --inventory {tmp_path / 'nope.json'}: no such file or folder"


def test_an_interrupted_deploy_says_so_and_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C: the run's processes are stopped (tests/integration/test_playbook_interrupt.py); the
    engineer is told the hosts may be half-way and what to do, with the shell's exit code for SIGINT."""
    inventory = tmp_path / "rvn-test-inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": {"portal-01": {"ansible_host": "127.0.0.9"}}}}), encoding="utf-8")
    stopped = PlaybookResult("canceled", 254, failures=["ansible-playbook ended canceled (exit 254)"], interrupted=True)
    monkeypatch.setattr(playbooks, "run_playbook", lambda *args, **kwargs: stopped)
    result = CliRunner().invoke(app, ["deploy", "--stack", "rvn-test", "--inventory", str(inventory)])
    assert result.exit_code == 130
    assert result.stderr.strip() == (
        "error: interrupted: ansible-playbook and its workers are stopped, and a host may be half-way through a "
        "task; run the same command again to finish"
    )


def _one_host_inventory(path: Path) -> Path:
    path.write_text(
        json.dumps({"all": {"children": {"portal": {"hosts": {"portal-01": {"ansible_host": "127.0.0.9"}}}}}}),
        encoding="utf-8",
    )
    return path


def test_a_relative_inventory_path_is_made_absolute_for_ansible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ansible-runner runs Ansible in a folder of its own: a relative path there would be a host's name."""
    _one_host_inventory(tmp_path / "rvn-test-inventory.json")
    monkeypatch.chdir(tmp_path)
    found = inventory_for("rvn-test", Path("rvn-test-inventory.json"))
    assert found.path == tmp_path / "rvn-test-inventory.json"
    assert found.path.is_absolute()
    assert found.source == "rvn-test-inventory.json"  # as the user typed it


def _inventory_error(path: Path, *, command: str = "deploy") -> str:
    result = CliRunner().invoke(app, [command, "--stack", "rvn-test", "--inventory", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # nothing ran: not even the inventory's source is shown
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("command", ["deploy", "verify"])
@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("README.md", "# vardmote\n", "not a JSON or YAML inventory (.json, .yml or .yaml)"),
        ("passwd", "root:x:0:0:root:/root:/bin/bash\n", "not a JSON or YAML inventory (.json, .yml or .yaml)"),
        ("empty.json", "{}", "no hosts (a group's `hosts:` names them)"),
        (
            "notes.yml",
            "root:x:0:0:root:/root:/bin/bash\ngames:x:5:60:games:/usr/games\n",
            "line 1: not an Ansible inventory: a mapping of groups (all:, children:, hosts:) expected",
        ),
        ("list.yml", "all:\n  hosts:\n    - portal-01\n", "line 2: all.hosts: must be a mapping"),
        (
            "typo.yml",
            "all:\n  host:\n    portal-01:\n",
            "line 2: all.host: not a group's key (hosts:, children: or vars:)",
        ),
        ("broken.json", '{\n  "all": {"hosts": ]\n}\n', "line 2: invalid YAML: "),
    ],
    ids=["markdown", "passwd", "empty-json", "yaml-text", "hosts-as-list", "misspelt-key", "broken-json"],
)
def test_a_file_that_is_no_inventory_is_refused_before_ansible_runs(
    tmp_path: Path, command: str, name: str, text: str, error: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert _inventory_error(path, command=command).startswith(f"error: --inventory {path}: {error}")


def test_a_folder_that_is_no_inventory_names_what_does_not_belong(tmp_path: Path) -> None:
    (tmp_path / "scratch").mkdir()
    assert _inventory_error(tmp_path) == (
        f"error: --inventory {tmp_path}: scratch/: not an inventory's folder (only group_vars and host_vars)"
    )
    (tmp_path / "scratch").rmdir()
    assert (
        _inventory_error(tmp_path) == f"error: --inventory {tmp_path}: no inventory files in the folder (JSON or YAML)"
    )
    (tmp_path / "30-secrets.yml").write_text("all:\n  vars:\n    edge_turn_shared_secret: x\n", encoding="utf-8")
    assert _inventory_error(tmp_path) == (
        f"error: --inventory {tmp_path}: no hosts in the folder's files (a group's `hosts:` names them)"
    )
    (tmp_path / "20-lab.yml").write_text("all:\n  hosts: [portal-01]\n", encoding="utf-8")
    assert (
        _inventory_error(tmp_path) == f"error: --inventory {tmp_path}: 20-lab.yml: line 2: all.hosts: must be a mapping"
    )


def test_a_folder_like_the_lab_s_is_an_inventory(tmp_path: Path) -> None:
    """The files `vardmote lab up` writes, with Ansible's own variable folders beside them."""
    _one_host_inventory(tmp_path / "10-stack.json")
    (tmp_path / "20-lab.yml").write_text("all:\n  vars: {ansible_user: root}\n  hosts:\n    portal-01: {}\n")
    (tmp_path / "30-secrets.yml").write_text("all:\n  vars:\n    edge_turn_shared_secret: x\n", encoding="utf-8")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "README.md").write_text("# notes\n", encoding="utf-8")  # Ansible skips it too
    check_inventory(tmp_path, "--inventory lab")
    assert inventory_for("rvn-test", tmp_path).path == tmp_path


@pytest.mark.parametrize("command", ["deploy", "verify"])
def test_an_unknown_stack_is_refused_naming_the_stacks(tmp_path: Path, command: str) -> None:
    inventory = _one_host_inventory(tmp_path / "inventory.json")
    for typed in ("labb", "Lab"):
        result = CliRunner().invoke(app, [command, "--stack", typed, "--inventory", str(inventory)])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"error: no stack {typed!r} in {project_dir()}; the stacks: lab, rvn-prod, rvn-test; did you mean lab?\n"
        )
    result = CliRunner().invoke(app, [command, "--stack", "staging"])
    assert result.stderr.strip().endswith("the stacks: lab, rvn-prod, rvn-test")


def test_verify_says_when_select_matched_no_check(tmp_path: Path) -> None:
    inventory = _one_host_inventory(tmp_path / "inventory.json")
    result = CliRunner().invoke(app, ["verify", "--stack", "rvn-test", "-i", str(inventory), "--select", "nosuchcheck"])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: --select nosuchcheck: no check matched (the groups: call, firewall, services, sip,")
    assert "FAILED" not in line
