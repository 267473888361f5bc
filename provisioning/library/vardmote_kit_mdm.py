#!/usr/bin/python
"""Ansible module: enroll kits in their municipality's MDM, or wipe their devices."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_kit_mdm
short_description: Enroll tablet kits in their MDM, or wipe their devices
description:
  - The driver follows each municipality's profile (bundle, or amapi for the Android Management API).
  - Enrolling applies the kit's policy and writes a one-time enrollment token and its provisioning QR
    code (mode 0600) into the kit's bundle. Wiping takes the registry's pending wipes
    (vardmote_kit_registry action wipes_pending) and deletes each device through the MDM that enrolled
    it (factory reset protection kept), or writes a work order into the kit's bundle.
options:
  action: {description: enroll or wipe., type: str, required: true, choices: [enroll, wipe]}
  kits: {description: Kit records from vardmote_kit_registry., type: list, elements: dict, required: true}
  reason: {description: Unused (a pending wipe carries its own reason)., type: str, default: ""}
  bundle_dir: {description: Where enrollment bundles go (default VARDMOTE_BUNDLE_DIR)., type: path}
  profiles_dir: {description: The device_profiles tree., type: path}
  secret_channel:
    description:
      - Where the running vardmote kit command serves its run; it then does the step's work itself.
    type: dict
    no_log: true
"""

from ansible.module_utils.basic import AnsibleModule

from vardmote.kits.module_support import mdm_task
from vardmote.kits.task_specs import MDM_SPEC


def main() -> None:
    module = AnsibleModule(argument_spec=MDM_SPEC, supports_check_mode=True)
    result = mdm_task(module.params, module.check_mode)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
