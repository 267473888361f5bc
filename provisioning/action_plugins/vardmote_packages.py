"""vardmote_packages: Debian packages installed, asking dpkg before apt.

A deploy that changes nothing spent a quarter of its time in apt: `ansible.builtin.apt` opens apt's
whole package cache, about 0.4 s of CPU on each host for each task, only to find every package
installed. This action asks `dpkg-query` first, which answers in milliseconds, and runs
`ansible.builtin.apt` with the task's own arguments whenever a package is not installed (or dpkg does
not know the name, a virtual package say). So the package lists are refreshed (`update_cache`) only
when something is to be installed; the hosts' unattended upgrades refresh them daily anyway.

Runs on the controller only (no vardmote import), so AWX runs the roles as they are.
"""

from __future__ import annotations

import shlex
from typing import Any

from ansible.plugins.action import ActionBase

ARGUMENT_SPEC: dict[str, Any] = {
    "name": {"type": "list", "elements": "str", "required": True},
    "install_recommends": {"type": "bool", "default": False},
    "update_cache": {"type": "bool", "default": False},
    "cache_valid_time": {"type": "int", "default": 0},
}

# dpkg-query's answer per package: its name and status, "ii " when installed and nothing is amiss
# (desired install, state installed, no error flag); "hi " is the same, held.
QUERY_FORMAT = "${Package} ${db:Status-Abbrev}\\n"
INSTALLED = ("ii ", "hi ")


class ActionModule(ActionBase):  # type: ignore[misc]
    TRANSFERS_FILES = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        # Wrong arguments fail the task here, naming the argument, before anything runs on the host.
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        names: list[str] = args["name"]
        missing = self._not_installed(names)
        if not missing:
            result.update(changed=False, msg=f"installed already: {', '.join(names)}")
            return result
        apt_args = {**args, "state": "present"}
        if not apt_args["cache_valid_time"]:
            del apt_args["cache_valid_time"]
        result.update(self._execute_module("ansible.builtin.apt", module_args=apt_args, task_vars=task_vars))
        return result

    def _not_installed(self, names: list[str]) -> list[str]:
        """The names dpkg does not list as installed (all of them when dpkg-query cannot be asked)."""
        command = f"dpkg-query -W -f={shlex.quote(QUERY_FORMAT)} -- {' '.join(shlex.quote(n) for n in names)}"
        answer = self._low_level_execute_command(command)
        installed = set()
        for line in str(answer.get("stdout", "")).splitlines():
            package, _, status = line.partition(" ")
            if status.ljust(3) in INSTALLED:
                installed.add(package.split(":")[0])  # multi-arch packages come as name:arch
        return [name for name in names if name not in installed]
