"""`vardmote deploy` against a stack's exported inventory: the recap, and a host it cannot reach named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vardmote.cli.app import app
from vardmote.core import playbooks
from vardmote.core.playbooks import PlaybookResult


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
