"""Running the kit playbooks through ansible-runner, with progress for the technician."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLAYBOOK_DIR = Path(__file__).resolve().parents[1]
VAULT_PASSWORD_FILE_ENV = "VARDMOTE_VAULT_PASSWORD_FILE"


@dataclass
class PlaybookResult:
    status: str
    rc: int
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # task name → module results
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.failures


def run_playbook(
    playbook: str,
    extravars: dict[str, Any],
    on_task: Callable[[str], None] | None = None,
    check: bool = False,
) -> PlaybookResult:
    """Run `playbook` (in provisioning/) on the controller; report each task's start to `on_task`."""
    import ansible_runner  # noqa: PLC0415 - loaded only when a playbook runs

    result = PlaybookResult("unknown", -1)

    def handle(event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        kind = event.get("event")
        if kind == "playbook_on_task_start" and on_task is not None:
            on_task(str(data.get("task", "")))
        elif kind == "runner_on_ok":
            result.results.setdefault(str(data.get("task")), []).append(data.get("res", {}))
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            result.failures.append(str(data.get("res", {}).get("msg", "failed")))
            result.results.setdefault(str(data.get("task")), []).append(data.get("res", {}))
        return False  # nothing of the events is kept on disk

    private = Path(tempfile.mkdtemp(prefix="vardmote-runner-"))
    cmdline = ["--check", "--diff"] if check else []
    vault_file = os.environ.get(VAULT_PASSWORD_FILE_ENV)
    if vault_file:
        cmdline += ["--vault-password-file", vault_file]
    try:
        runner = ansible_runner.run(
            private_data_dir=str(private),
            project_dir=str(PLAYBOOK_DIR),
            playbook=playbook,
            inventory=str(PLAYBOOK_DIR / "inventory" / "localhost.yml"),
            extravars=extravars,
            cmdline=" ".join(cmdline) or None,
            envvars={
                "ANSIBLE_CONFIG": str(PLAYBOOK_DIR / "ansible.cfg"),
                "ANSIBLE_LIBRARY": str(PLAYBOOK_DIR / "library"),
                "ANSIBLE_ACTION_PLUGINS": str(PLAYBOOK_DIR / "action_plugins"),
                # ansible-playbook comes from the same virtualenv as vardmote, on PATH or not.
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            },
            event_handler=handle,
            quiet=True,
            suppress_env_files=True,
        )
        result.status, result.rc = str(runner.status), int(runner.rc)
        if result.rc != 0 and not result.failures:
            result.failures.append(f"ansible-playbook ended {result.status} (exit {result.rc})")
    finally:
        # The runner's folder holds the extra variables and the run's output: nothing of it is kept.
        shutil.rmtree(private, ignore_errors=True)
    return result
