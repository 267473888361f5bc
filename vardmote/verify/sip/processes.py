"""The programs a call end runs (Kamailio, SIPp), started with their output in a log file and stopped by
their own PID, never by name."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class SipToolError(RuntimeError):
    """A program of the phone path is missing, would not start, or stopped early (the message says which)."""


def require(program: str, package: str) -> str:
    # Kamailio is in /usr/sbin, which an ordinary user's PATH may not hold.
    candidates = (Path("/usr/sbin") / program, Path("/usr/bin") / program)
    path = shutil.which(program) or next((str(found) for found in candidates if found.exists()), None)
    if path is None:
        raise SipToolError(f"{program} is not installed (Debian package {package})")
    return path


def tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no output)"


class Program:
    """One started program: its PID, and its stdout and stderr in `log`."""

    def __init__(self, name: str, command: list[str], log: Path) -> None:
        self.name, self.command, self.log = name, command, log
        with log.open("ab") as output:
            # A session of its own: Kamailio forks children, and the group (whose id is this PID) is
            # what stop() ends, so none of them outlives the end.
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Wait for `ready()`; a program that exits or is not ready in time is an error naming its log."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running():
                raise SipToolError(
                    f"{self.name} exited with {self.process.returncode} before {what}; {self.log}:\n{tail(self.log)}"
                )
            if ready():
                return
            time.sleep(0.05)
        raise SipToolError(f"{self.name} did not get {what} within {timeout_s:.0f} s; {self.log}:\n{tail(self.log)}")

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM to the program's process group, SIGKILL to what is left of it after `timeout_s`."""
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            if self.running() or self._group_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal_number)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                if self.process.poll() is not None and not self._group_alive():
                    return
                time.sleep(0.05)
        self.process.wait(timeout=timeout_s)
