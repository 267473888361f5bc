"""Runs vardmote_kit_artifacts inside ansible-playbook (see vardmote/kits/module_support.py)."""

from vardmote.kits.action_plugin import KitAction
from vardmote.kits.module_support import ARTIFACTS_SPEC, artifacts_task


class ActionModule(KitAction):
    argument_spec = ARTIFACTS_SPEC
    handler = staticmethod(artifacts_task)
