"""Running vardmote's playbooks (kits, platform) through ansible-runner, with progress for the person."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vardmote.core.processes import process_table
from vardmote.core.project_files import project_folder

PLAYBOOK_DIR = project_folder("provisioning")
LOCALHOST_INVENTORY = PLAYBOOK_DIR / "inventory" / "localhost.yml"
VAULT_PASSWORD_FILE_ENV = "VARDMOTE_VAULT_PASSWORD_FILE"
CANCEL_POLL_SECONDS = 0.2
# How long ansible-playbook gets to stop its workers when the run is interrupted, before it is killed.
STOP_GRACE_SECONDS = 15.0
# ansible-runner replaces the whole result of a `no_log` task (or loop item) with this one key.
CENSORED_KEY = "censored"
# The default stdout callback's line for a result, e.g. "\x1b[0;33mchanged: [portal-01]\x1b[0m".
_CHANGED_LINE = re.compile(r"^(?:\x1b\[[0-9;]*m)*changed: \[")


@dataclass
class Change:
    """A task that changed (or in check mode would change) a host, with Ansible's `diff` of what:
    each entry a dict with `before`/`after` (text, or a mapping such as the file module's state) and
    `before_header`/`after_header`, or `prepared` text, as the module returned it. A `no_log` task's
    result arrives censored: `hidden` is set and nothing of it is kept."""

    host: str
    task: str
    diffs: list[dict[str, Any]] = field(default_factory=list)
    hidden: bool = False


@dataclass
class PlaybookResult:
    status: str
    rc: int
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # task name → module results
    failures: list[str] = field(default_factory=list)
    failed_tasks: list[tuple[str, str, str]] = field(default_factory=list)  # (host, task, message)
    # The play recap per host: {"ok": n, "changed": n, "failures": n, "dark": n (unreachable), ...}
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    interrupted: bool = False  # stopped by Ctrl-C (SIGINT) or SIGTERM, ansible-playbook's workers with it
    # What changed, in the order the tasks ran; one entry per host and task (a loop's items together).
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.failures


def run_playbook(
    playbook: str,
    extravars: dict[str, Any],
    *,
    on_task: Callable[[str], None] | None = None,
    check: bool = False,
    diff: bool = False,
    inventory: Path = LOCALHOST_INVENTORY,
    forks: int | None = None,
    limit: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> PlaybookResult:
    """Run `playbook` (in provisioning/, or a path of its own) against `inventory` (a file or folder;
    default: the controller itself); report each task's start to `on_task`. `check` runs in check mode,
    always with diffs; `diff` asks for them in a real run; `result.changes` lists which task changed
    what. `cancel`, asked whenever the run says something, stops it once it answers True, as SIGINT
    (Ctrl-C) and SIGTERM do in the main thread: ansible-playbook is asked to stop its workers and end,
    then killed (`interrupted` says a signal did it)."""
    result = PlaybookResult("unknown", -1)
    hidden_items_changed: set[tuple[str, str]] = set()  # (host, task uuid) of censored loop items that changed

    def handle(event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        kind = event.get("event")
        if kind == "playbook_on_task_start" and on_task is not None:
            on_task(str(data.get("task", "")))
        elif kind == "runner_on_ok":
            result.results.setdefault(str(data.get("task")), []).append(data.get("res", {}))
            hidden_changed = _CHANGED_LINE.match(str(event.get("stdout") or "")) is not None
            change = _change_of(data, hidden_changed or _key(data) in hidden_items_changed)
            if change is not None:
                result.changes.append(change)
        elif kind == "runner_item_on_ok" and CENSORED_KEY in (data.get("res") or {}):
            # A no_log loop says per item, in the callback's line only, whether it changed.
            if _CHANGED_LINE.match(str(event.get("stdout") or "")):
                hidden_items_changed.add(_key(data))
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            res = data.get("res", {})
            message = str(res.get("msg", "failed")).strip()
            said = [line.strip() for line in str(res.get("stderr") or "").splitlines() if line.strip()]
            if said:  # e.g. a `validate:` command's complaint: the line that says what is wrong
                errors = [line for line in said if "error" in line.lower()]
                message = f"{message}: {(errors or said)[-1]}"
            result.failures.append(message)
            result.failed_tasks.append((str(data.get("host", "")), str(data.get("task", "")), message))
            result.results.setdefault(str(data.get("task")), []).append(data.get("res", {}))
        elif kind == "playbook_on_stats":
            for counter in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored"):
                for host, count in (data.get(counter) or {}).items():
                    result.stats.setdefault(host, {})[counter] = int(count)
        return False  # nothing of the events is kept on disk

    private = Path(tempfile.mkdtemp(prefix="vardmote-runner-"))
    cmdline = _options(check=check, diff=diff, forks=forks, limit=limit)
    # ansible-runner asks whether to stop each time it stops waiting on the run's output, by default
    # every 5 s; Ctrl-C should not wait that long. (Its `settings` argument is dropped when the folder has
    # no env/settings file, so the file it is.)
    (private / "env").mkdir()
    (private / "env" / "settings").write_text(f"pexpect_timeout: {CANCEL_POLL_SECONDS}\n", encoding="utf-8")
    interrupted = threading.Event()
    try:
        with _interrupts_to(interrupted):
            stop = _stopper(cancel, interrupted)
            runner = _run_in(
                private, playbook=playbook, inventory=inventory, extravars=extravars, cmdline=cmdline, handle=handle,
                stop=stop,
            )  # fmt: skip
        result.interrupted = interrupted.is_set()
        result.status, result.rc = str(runner.status), int(runner.rc)
        if result.rc != 0 and not result.failures:
            result.failures.append(f"ansible-playbook ended {result.status} (exit {result.rc})")
    finally:
        # The runner's folder holds the extra variables and the run's output: nothing of it is kept.
        shutil.rmtree(private, ignore_errors=True)
    return result


def _options(*, check: bool, diff: bool, forks: int | None, limit: str | None) -> list[str]:
    """ansible-playbook's options for the run."""
    options = ["--check", "--diff"] if check else ["--diff"] if diff else []
    if forks is not None:
        options += ["--forks", str(forks)]
    if limit:
        options += ["--limit", limit]
    vault_file = os.environ.get(VAULT_PASSWORD_FILE_ENV)
    if vault_file:
        options += ["--vault-password-file", vault_file]
    return options


def _run_in(
    private: Path,
    *,
    playbook: str,
    inventory: Path,
    extravars: dict[str, Any],
    cmdline: list[str],
    handle: Callable[[dict[str, Any]], bool],
    stop: Callable[[], bool],
) -> Any:
    import ansible_runner  # noqa: PLC0415 - loaded only when a playbook runs

    return ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(PLAYBOOK_DIR),
        playbook=playbook,
        inventory=str(inventory),
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
        cancel_callback=stop,
        quiet=True,
        suppress_env_files=True,
    )


@contextmanager
def _interrupts_to(event: threading.Event) -> Iterator[None]:
    """For the run's length, SIGINT (Ctrl-C) and SIGTERM set `event` instead of stopping this process at
    once; the handlers before come back after. Only the main thread takes signals: elsewhere the caller
    stops the run through its `cancel`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number in before:
        signal.signal(number, lambda _number, _frame: event.set())
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _stopper(cancel: Callable[[], bool] | None, interrupted: threading.Event) -> Callable[[], bool]:
    """ansible-runner's cancel callback. Once the run is to stop, it first asks ansible-playbook to stop:
    the runner itself SIGKILLs ansible-playbook's process group, which its workers (each in a session
    of its own) have left, so they would go on, changing hosts with nobody watching."""

    def should_stop() -> bool:
        if not interrupted.is_set() and (cancel is None or not cancel()):
            return False
        _stop_ansible_playbook()
        return True

    return should_stop


def _stop_ansible_playbook() -> None:
    """SIGTERM to this process's ansible-playbook, which passes it on to its workers and ends; then the
    workers' sessions get SIGTERM too (what a worker started, a module and its commands, is in them),
    and SIGKILL for what is left after the grace time."""
    processes = process_table()
    playbooks = [p.pid for p in processes if p.parent == os.getpid() and b"ansible-playbook" in p.command]
    own_group = os.getpgid(0)
    groups = {p.group for p in processes if p.parent in playbooks and p.group != own_group}
    for pid in playbooks:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    _wait_until(lambda: not any(p.pid in playbooks and not p.ended for p in process_table()), STOP_GRACE_SECONDS)
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        for group in groups:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(group, stop_signal)
        if _wait_until(lambda: not any(p.group in groups and not p.ended for p in process_table()), 2.0):
            break


def _wait_until(done: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _change_of(data: dict[str, Any], hidden_changed: bool) -> Change | None:
    """The change one `runner_on_ok` event reports, if any. A loop's items each carry their own
    `changed` and `diff` under `results`. A censored result (or item) has neither: `hidden_changed`
    says whether the callback's own line for it, or for one of its items, read "changed: [host]"."""
    host, task = str(data.get("host", "")), str(data.get("task", ""))
    res = data.get("res") or {}
    if CENSORED_KEY in res:
        return Change(host, task, hidden=True) if hidden_changed else None
    if not res.get("changed"):
        return None
    items = res.get("results")
    if not isinstance(items, list):
        return Change(host, task, _diffs_of(res))
    change = Change(host, task, hidden=hidden_changed)
    for item in items:
        if isinstance(item, dict) and CENSORED_KEY not in item and item.get("changed"):
            change.diffs += _diffs_of(item)
    return change


def _key(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("host", "")), str(data.get("task_uuid", ""))


def _diffs_of(res: dict[str, Any]) -> list[dict[str, Any]]:
    found = res.get("diff")
    entries = found if isinstance(found, list) else [found] if found else []
    return [dict(entry) for entry in entries if isinstance(entry, dict)]
