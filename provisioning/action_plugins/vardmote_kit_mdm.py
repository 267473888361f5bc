"""Runs vardmote_kit_mdm inside ansible-playbook (see vardmote/kits/module_support.py)."""

from vardmote.kits.action_plugin import KitAction
from vardmote.kits.module_support import MDM_SPEC, mdm_task


class ActionModule(KitAction):
    argument_spec = MDM_SPEC
    handler = staticmethod(mdm_task)
