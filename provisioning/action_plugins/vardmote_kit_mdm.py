"""Runs vardmote_kit_mdm inside ansible-playbook (see vardmote/kits/action_plugin.py)."""

from vardmote.kits.action_plugin import KitAction, kit_stack
from vardmote.kits.task_specs import MDM_SPEC

kit_stack()


class ActionModule(KitAction):
    argument_spec = MDM_SPEC
    task = "mdm"
