"""Ctrl-C during a playbook run (`vardmote deploy`, the kit commands): ansible-playbook, its workers and
what they started all stop, rather than go on changing hosts with nobody watching."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
import time
from pathlib import Path

import yaml

from vardmote.core.playbooks import run_playbook
from vardmote.core.processes import process_table


def running_with(marker: str) -> list[int]:
    """PIDs of the processes (not yet ended) whose command line holds `marker`."""
    return [p.pid for p in process_table() if marker in p.command_line and not p.ended]


def test_ctrl_c_stops_ansible_playbook_its_workers_and_their_commands(tmp_path: Path) -> None:
    # A command no other process runs: `sleep` with a duration of this test's own.
    duration = f"{600 + secrets.randbelow(1000)}.{secrets.randbelow(10**6):06d}"
    playbook = tmp_path / "slow.yml"
    playbook.write_text(
        yaml.safe_dump([
            {
                "name": "A long task",
                "hosts": "localhost",
                "connection": "local",
                "gather_facts": False,
                "tasks": [{"name": "Wait", "ansible.builtin.command": {"argv": ["sleep", duration]}}],
            }
        ]),
        encoding="utf-8",
    )  # fmt: skip

    def interrupt_once_it_sleeps() -> None:
        deadline = time.monotonic() + 60
        while not running_with(f"sleep {duration}") and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C in the terminal

    interrupter = threading.Thread(target=interrupt_once_it_sleeps, daemon=True)
    interrupter.start()
    started = time.monotonic()
    try:
        result = run_playbook(str(playbook), {})
        stopped_after = time.monotonic() - started
        interrupter.join(timeout=5)

        assert result.interrupted
        assert not result.ok
        assert stopped_after < 60, f"the run went on for {stopped_after:.0f} s after Ctrl-C"
        deadline = time.monotonic() + 10
        while running_with(duration) + running_with(str(playbook)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert running_with(duration) == [], "the task's command outlived the interrupted run"
        assert running_with(str(playbook)) == [], "an ansible-playbook worker outlived the interrupted run"
    finally:  # whatever the outcome, nothing of this test keeps running
        for pid in running_with(duration) + running_with(str(playbook)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_run_nobody_interrupts_says_so(tmp_path: Path) -> None:
    playbook = tmp_path / "quick.yml"
    playbook.write_text(
        yaml.safe_dump([
            {"name": "Quick", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "tasks": [{"name": "Nothing", "ansible.builtin.debug": {"msg": "done"}}]}
        ]),
        encoding="utf-8",
    )  # fmt: skip
    result = run_playbook(str(playbook), {})
    assert result.ok, result.failures
    assert not result.interrupted
