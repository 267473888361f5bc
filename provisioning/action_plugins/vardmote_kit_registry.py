"""Runs vardmote_kit_registry inside ansible-playbook (see provisioning/kits/module_support.py)."""

from provisioning.kits.action_plugin import KitAction
from provisioning.kits.module_support import REGISTRY_SPEC, registry_task


class ActionModule(KitAction):
    argument_spec = REGISTRY_SPEC
    handler = staticmethod(registry_task)
