"""Runs vardmote_kit_registry inside ansible-playbook (see vardmote/kits/module_support.py)."""

from vardmote.kits.action_plugin import KitAction
from vardmote.kits.module_support import REGISTRY_SPEC, registry_task


class ActionModule(KitAction):
    argument_spec = REGISTRY_SPEC
    handler = staticmethod(registry_task)
