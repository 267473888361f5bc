"""`vardmote deploy` prints each changed task and its diff after the recap in check mode and with
--diff, and a plain real run stays the recap and its one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vardmote.cli.app import app
from vardmote.core import playbooks
from vardmote.core.playbooks import Change, PlaybookResult

NGINX = {
    "before_header": "/etc/nginx/nginx.conf",
    "after_header": "/etc/nginx/nginx.conf",
    "before": "a\n",
    "after": "b\n",
}


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stands in for the Ansible run: records how it was asked, answers with one changed file."""
    seen: dict[str, Any] = {}

    def run(playbook: str, extravars: dict[str, Any], **options: Any) -> PlaybookResult:
        seen.update(options, playbook=playbook)
        return PlaybookResult(
            "successful",
            0,
            stats={"edge-01": {"ok": 9, "changed": 1}},
            changes=[Change("edge-01", "Configure nginx", [NGINX])],
        )

    monkeypatch.setattr(playbooks, "run_playbook", run)
    return seen


def _deploy(tmp_path: Path, *options: str) -> str:
    inventory = tmp_path / "rvn-test-inventory.json"
    inventory.write_text(
        json.dumps({"all": {"children": {"edge": {"hosts": {"edge-01": {"ansible_host": "127.0.0.9"}}}}}}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["deploy", "--stack", "rvn-test", "--inventory", str(inventory), *options])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("option", ["--check", "--diff"])
def test_check_and_diff_print_each_change_after_the_recap(tmp_path: Path, asked: dict[str, Any], option: str) -> None:
    lines = _deploy(tmp_path, option).splitlines()
    assert asked["check"] is (option == "--check")
    assert asked["diff"] is (option == "--diff")
    start = lines.index("edge-01: Configure nginx")
    assert any("recap" in line for line in lines[:start])
    assert lines[start + 1 : start + 6] == [
        "    --- before: /etc/nginx/nginx.conf",
        "    +++ after: /etc/nginx/nginx.conf",
        "    @@ -1 +1 @@",
        "    -a",
        "    +b",
    ]
    verb = "would change" if option == "--check" else "changed"
    assert lines[-1] == f"✓ rvn-test: 1 hosts configured, {verb}=1"


def test_a_plain_real_run_prints_the_recap_only(tmp_path: Path, asked: dict[str, Any]) -> None:
    printed = _deploy(tmp_path)
    assert asked["check"] is False
    assert asked["diff"] is False
    assert "Configure nginx" not in printed
    assert "+b" not in printed
