"""The base of the kit action plugins: validate the task's arguments, then do the task's work on the
controller: in the running `vardmote kit …` command when it serves the tasks, else in-process.

Run by `vardmote kit …`, the playbook's tasks hand their work to the command over its secret channel
(vardmote.kits.secret_channel): the command has already loaded the registry, the profiles and the
renderers for its own checks, so ansible-playbook need not load the kit stack a second time (a third of a
second of a small run). The command sets VARDMOTE_KIT_TASKS_SERVED for the run, and the plugins then
import only this module and the argument specs.

Run any other way (AWX, ansible-playbook by hand), the handlers run inside ansible-playbook. Its strategy
loads an action plugin's class in its own main process before it forks a worker for the task
(`action_loader.get(..., class_only=True)` in the linear and free strategies), so the kit stack that
`kit_stack()` imports when the plugin is loaded is imported once per run and inherited by every task's
worker: a playbook of four kit tasks pays for SQLAlchemy, pydantic and the renderers once, not four
times."""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any, ClassVar

from ansible.plugins.action import ActionBase

from vardmote.kits.task_specs import SERVED_ENV


def kit_stack() -> ModuleType | None:
    """The handlers' module, loaded and prepared for this playbook process; None when the command that
    started the run does the tasks' work."""
    stack = None
    if not os.environ.get(SERVED_ENV):
        from vardmote.kits import module_support  # noqa: PLC0415 - the whole kit stack

        module_support.prepare_playbook_process()
        stack = module_support
    _spare_the_collector()
    return stack


def _spare_the_collector() -> None:
    """What ansible-playbook (and the kit stack) have built so far lives until the run ends: the cyclic
    garbage collector is told so (gc.freeze), so that its collections during the run, in ansible's
    forked workers too, and the full one at the interpreter's exit no longer walk it. That last one
    took ~0.3 s after a kit playbook's final stats. Freezing again at exit spares the exit's collection
    what the run built since; the process is ending and the operating system takes its memory back."""
    if not _frozen:
        _frozen.append(True)
        gc.freeze()
        atexit.register(gc.freeze)


_frozen: list[bool] = []


class KitAction(ActionBase):  # type: ignore[misc]
    """Runs the kit module `task`'s handler with the task's arguments, checked against `argument_spec`."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    argument_spec: ClassVar[dict[str, Any]]
    task: ClassVar[str]  # "registry", "artifacts" or "mdm"

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        validation, params = self.validate_argument_spec(self.argument_spec)
        if validation.error_messages:
            return {**result, "failed": True, "msg": "; ".join(validation.error_messages)}
        result.update(do_task(type(self).task, params, bool(self._task.check_mode)))
        return result


def do_task(task: str, params: Mapping[str, Any], check_mode: bool) -> dict[str, Any]:
    channel = params.get("secret_channel") or {}
    if channel.get("serves"):
        from vardmote.kits.secret_channel import SecretChannelError, run_task  # noqa: PLC0415 - small

        try:
            return run_task(channel, task, params, check_mode)
        except SecretChannelError as err:
            return {"failed": True, "msg": str(err)}
    from vardmote.kits import module_support  # noqa: PLC0415 - loaded with the plugin (kit_stack)

    return module_support.HANDLERS[task](params, check_mode)
