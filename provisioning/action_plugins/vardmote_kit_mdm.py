"""Runs vardmote_kit_mdm inside ansible-playbook (see provisioning/kits/module_support.py)."""

from provisioning.kits.action_plugin import KitAction
from provisioning.kits.module_support import MDM_SPEC, mdm_task


class ActionModule(KitAction):
    argument_spec = MDM_SPEC
    handler = staticmethod(mdm_task)
