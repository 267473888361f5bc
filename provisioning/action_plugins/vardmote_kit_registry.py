"""Runs vardmote_kit_registry inside ansible-playbook (see vardmote/kits/action_plugin.py)."""

from vardmote.kits.action_plugin import KitAction, kit_stack
from vardmote.kits.task_specs import REGISTRY_SPEC

kit_stack()


class ActionModule(KitAction):
    argument_spec = REGISTRY_SPEC
    task = "registry"
