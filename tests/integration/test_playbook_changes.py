"""`run_playbook` on this machine with a small playbook of its own: in check mode the file a template
would rewrite comes back as a diff and is printed as one, while a `no_log` task's secret shows nowhere."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from vardmote.cli.changes import HIDDEN, print_changes
from vardmote.core.playbooks import PlaybookResult, run_playbook

SECRET = "turn-secret-4f9c1e"  # what the no_log task writes; it must show nowhere

PLAYBOOK = """\
- name: A small change on the controller
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the greeting
      ansible.builtin.template:
        src: greeting.j2
        dest: "{{ folder }}/greeting.conf"
        mode: "0644"
    - name: Write the shared secret
      ansible.builtin.copy:
        content: "secret = {{ secret }}\\n"
        dest: "{{ folder }}/secret.conf"
        mode: "0600"
      no_log: true
    - name: Install the client key and its copy
      ansible.builtin.copy:
        content: "key = {{ secret }}-{{ item }}\\n"
        dest: "{{ folder }}/{{ item }}.key"
        mode: "0600"
      loop: [client, spare]
      no_log: true
    - name: Leave the unchanged alone
      ansible.builtin.copy:
        content: "same\\n"
        dest: "{{ folder }}/same.conf"
        mode: "0644"
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "greeting.j2").write_text("greeting = new\nkeep = yes\n", encoding="utf-8")
    (tmp_path / "greeting.conf").write_text("greeting = old\nkeep = yes\n", encoding="utf-8")
    (tmp_path / "secret.conf").write_text("secret = old-one\n", encoding="utf-8")
    (tmp_path / "client.key").write_text("key = old-one\n", encoding="utf-8")
    (tmp_path / "same.conf").write_text("same\n", encoding="utf-8")
    (tmp_path / "same.conf").chmod(0o644)
    playbook = tmp_path / "change.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    return playbook


def _printed(result: PlaybookResult) -> str:
    out = io.StringIO()
    print_changes(result.changes, console=Console(file=out, width=200, force_terminal=False))
    return out.getvalue()


def test_check_mode_brings_back_the_diff_of_the_file_it_would_change_and_hides_no_log(tmp_path: Path) -> None:
    playbook = _project(tmp_path)
    result = run_playbook(str(playbook), {"folder": str(tmp_path), "secret": SECRET}, check=True)
    assert result.ok, result.failures
    assert (tmp_path / "greeting.conf").read_text(encoding="utf-8") == "greeting = old\nkeep = yes\n"  # check mode

    assert [(change.host, change.task, change.hidden) for change in result.changes] == [
        ("localhost", "Write the greeting", False),
        ("localhost", "Write the shared secret", True),
        ("localhost", "Install the client key and its copy", True),  # a no_log loop: said by its items
    ]
    greeting, secret, keys = result.changes
    (diff,) = greeting.diffs
    assert diff["before_header"] == str(tmp_path / "greeting.conf")
    assert diff["before"] == "greeting = old\nkeep = yes\n"
    assert diff["after"] == "greeting = new\nkeep = yes\n"
    assert secret.diffs == []
    assert keys.diffs == []

    printed = _printed(result)
    lines = printed.splitlines()
    assert "localhost: Write the greeting" in lines
    assert f"    --- before: {tmp_path / 'greeting.conf'}" in lines
    assert "    -greeting = old" in lines
    assert "    +greeting = new" in lines
    assert "     keep = yes" in lines
    assert f"localhost: Write the shared secret {HIDDEN}" in lines
    assert f"localhost: Install the client key and its copy {HIDDEN}" in lines
    assert "Leave the unchanged alone" not in printed
    # Neither the run's result nor what is printed holds the secret or the old file's content.
    for hidden in (SECRET, "old-one"):
        assert hidden not in printed
        assert hidden not in repr(result)


def test_a_real_run_with_diff_reports_what_it_changed(tmp_path: Path) -> None:
    playbook = _project(tmp_path)
    result = run_playbook(str(playbook), {"folder": str(tmp_path), "secret": SECRET}, diff=True)
    assert result.ok, result.failures
    assert (tmp_path / "greeting.conf").read_text(encoding="utf-8") == "greeting = new\nkeep = yes\n"
    assert (tmp_path / "secret.conf").read_text(encoding="utf-8") == f"secret = {SECRET}\n"
    assert (tmp_path / "client.key").read_text(encoding="utf-8") == f"key = {SECRET}-client\n"
    printed = _printed(result)
    assert "    -greeting = old" in printed.splitlines()
    assert "    +greeting = new" in printed.splitlines()
    assert SECRET not in printed
    assert SECRET not in repr(result)

    again = run_playbook(str(playbook), {"folder": str(tmp_path), "secret": SECRET}, diff=True)
    assert again.ok, again.failures
    assert again.changes == []  # nothing left to change: nothing listed
