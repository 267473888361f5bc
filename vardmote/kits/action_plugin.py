"""The base of the kit action plugins: validate the task's arguments, run the handler in-process.

ansible-playbook's strategy loads an action plugin's class in its own main process before it forks a
worker for the task (`action_loader.get(..., class_only=True)` in the linear and free strategies), so
whatever a plugin's module imports is imported once per run and inherited by every task's worker. The
kit plugins import vardmote.kits.module_support, which imports the handlers' whole stack for that
reason: a playbook of four kit tasks pays for SQLAlchemy, pydantic and the renderers once, not four
times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ansible.plugins.action import ActionBase


class KitAction(ActionBase):  # type: ignore[misc]
    """Runs `handler` with the task's arguments, checked against `argument_spec`, on the controller."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    argument_spec: ClassVar[dict[str, Any]]
    handler: ClassVar[staticmethod[[Mapping[str, Any], bool], dict[str, Any]]]

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        validation, params = self.validate_argument_spec(self.argument_spec)
        if validation.error_messages:
            return {**result, "failed": True, "msg": "; ".join(validation.error_messages)}
        result.update(type(self).handler(params, bool(self._task.check_mode)))
        return result
