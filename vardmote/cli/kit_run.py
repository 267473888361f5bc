"""Running a kit playbook from a `vardmote kit` command: its secrets kept off the disk, its start early.

The secrets the run needs (the APN passwords the profiles name, the registry URL, which may carry a
password) are taken out of the environment ansible-runner records and served to the tasks from this
process's memory (vardmote.kits.secret_channel), so a killed run leaves none.

ansible-playbook's own start (its imports, its plugins, then the kit stack's) is most of a small run.
A command may start the playbook before its last checks, those against the registry, and let it go once
they pass: the tasks wait on the secret channel, and no task writes before it has its secrets, the
registry's URL among them. Checks that fail stop the run unanswered (killed, or ended by its first
task), so a refused batch still writes nothing, and the person sees only what the checks said.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from vardmote.cli.console import console

if TYPE_CHECKING:
    from vardmote.core.playbooks import PlaybookResult
    from vardmote.region.catalogue import ProfileCatalogue


class KitRun:
    """A kit playbook run in a thread of its own, its tasks held back at the secret channel until
    `finish()`. Its extra variables get the channel's reference and the run's owner."""

    def __init__(
        self,
        playbook: str,
        handed: Mapping[str, Any],
        check: bool,
        catalogue: ProfileCatalogue | None = None,
        profiles_dir: Path | None = None,
    ) -> None:
        self._playbook, self._handed, self._check = playbook, dict(handed), check
        self._catalogue, self._profiles_dir = catalogue, profiles_dir
        self._stop = threading.Event()
        self._task = "starting Ansible…"
        self._status: Any = None
        self._thread: threading.Thread | None = None

    def start(self, extravars: dict[str, Any]) -> None:
        """Start ansible-playbook; its tasks wait until `finish()`."""
        from vardmote.kits.leases import run_owner
        from vardmote.kits.secret_channel import SecretChannel

        serve = self._serve_task if self._catalogue is not None else None
        channel = SecretChannel(self._handed, held=True, serve=serve)
        channel.__enter__()
        self._channel = channel
        self._stop.clear()
        self._result: PlaybookResult | None = None
        self._failure: BaseException | None = None
        self._extravars = extravars
        given = {
            "vardmote_run_owner": run_owner(),
            "vardmote_secret_channel": channel.reference,
            **{k: v for k, v in extravars.items() if v is not None},
        }
        self._thread = threading.Thread(target=self._run, args=(given,), name="vardmote-kit-run", daemon=True)
        self._thread.start()

    def restart(self, changed: dict[str, Any]) -> None:
        """Stop the run, and start it again with these variables changed (the checks took kits out of it)."""
        self.stop()
        self.start({**self._extravars, **changed})

    def stop(self) -> None:
        """Stop the run unanswered and wait until it has ended (its runner folder removed)."""
        self._stop.set()
        self._channel.__exit__(None, None, None)  # a task held back fails at once, and the run with it
        if self._thread is not None:
            self._thread.join()
        self._thread = None

    def finish(self) -> PlaybookResult:
        """Let the tasks go, show their progress, and wait for the run's end."""
        assert self._thread is not None
        if self._stop.is_set():  # Ctrl-C during the checks: the run ends unanswered, as not finished
            self._channel.__exit__(None, None, None)
        else:
            self._ready_to_serve()
            self._channel.release()
        with console.status(self._task) as status:
            self._status = status
            # Short waits: the command answers as soon as the run has ended, and signals still get through.
            while self._thread.is_alive():
                self._thread.join(0.01)
        self._status = None
        self._channel.__exit__(None, None, None)
        self._thread = None
        if self._failure is not None:
            raise self._failure
        assert self._result is not None
        return self._result

    @property
    def handed(self) -> dict[str, Any]:
        """What the tasks get, which the command's environment no longer holds while the run lasts."""
        return self._handed

    @property
    def running(self) -> bool:
        return self._thread is not None

    def stop_soon(self) -> None:
        """Ask the runner to kill the run (from a signal handler: no waiting here)."""
        self._stop.set()

    def _ready_to_serve(self) -> None:
        """Load the kit stack here (while ansible-playbook starts) to do the tasks' work, with what this
        command has loaded already: the profiles' catalogue, the secrets it hands over; and the schemas
        the run's kits are checked against, read now rather than in the render step."""
        if self._catalogue is None:
            return
        from vardmote.kits import module_support

        module_support.serve_from(self._catalogue, self._profiles_dir, self._channel.reference, self._handed)
        kits = self._extravars.get("vardmote_kits") or []
        module_support.load_schemas(self._catalogue, {str(kit.get("model")) for kit in kits})

    def _serve_task(self, task: str, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
        from vardmote.kits import module_support

        return module_support.do_task(task, params, check_mode)

    def _on_task(self, task: str) -> None:
        self._task = f"[bold]{task}[/]…"
        if self._status is not None:
            self._status.update(self._task)

    def _run(self, extravars: dict[str, Any]) -> None:
        from vardmote.core.playbooks import run_playbook

        try:
            self._result = run_playbook(
                self._playbook, extravars, on_task=self._on_task, check=self._check, cancel=self._stop.is_set
            )
        except BaseException as err:  # raised again in the command's thread
            self._failure = err


@contextmanager
def kit_run(
    playbook: str,
    extravars: dict[str, Any],
    secret_names: set[str],
    handed: Mapping[str, Any],
    check: bool,
    catalogue: ProfileCatalogue | None = None,
    profiles_dir: Path | None = None,
) -> Iterator[KitRun]:
    """A started KitRun, with the variables `secret_names` out of the environment until it has ended (the
    values are in `handed`); stopped if the block ends without `finish()` (a check failed, an error).
    Given the command's `catalogue` (of `profiles_dir`), the command does the tasks' work (see
    vardmote/kits/action_plugin.py). SIGINT and SIGTERM stop the run, as ansible-runner's own handlers
    would in the command's thread."""
    from vardmote.kits.task_specs import SERVED_ENV

    run = KitRun(playbook, handed, check, catalogue, profiles_dir)
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}

    def stop_on_signal(_number: int, _frame: FrameType | None) -> None:
        run.stop_soon()  # the runner kills ansible-playbook; the command then says the run is not finished

    taken = {name: os.environ.pop(name) for name in sorted(secret_names) if name in os.environ}
    served = catalogue is not None and SERVED_ENV not in os.environ
    if served:
        os.environ[SERVED_ENV] = "1"  # ansible-playbook then leaves the kit stack to this command
    try:
        for number in previous:
            signal.signal(number, stop_on_signal)
        run.start(extravars)
        yield run
    finally:
        try:
            if run.running:
                run.stop()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            os.environ.update(taken)
            if served:
                del os.environ[SERVED_ENV]
