#!/usr/bin/python
"""Ansible module: enroll kits in their municipality's MDM, or wipe their devices."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_kit_mdm
short_description: Enroll tablet kits in their MDM, or wipe their devices
description:
  - The driver follows each municipality's profile (bundle, or amapi for the Android Management API).
  - Enrolling applies the kit's policy and writes a one-time enrollment token and its provisioning QR
    code (mode 0600) into the kit's bundle. Wiping keeps factory reset protection.
options:
  action: {description: enroll or wipe., type: str, required: true, choices: [enroll, wipe]}
  kits: {description: Kit records from vardmote_kit_registry., type: list, elements: dict, required: true}
  reason: {description: Why a device is wiped., type: str, default: ""}
  bundle_dir: {description: Where enrollment bundles go (default VARDMOTE_BUNDLE_DIR)., type: path}
  profiles_dir: {description: The device_profiles tree., type: path}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from provisioning.kits.module_support import context_for, mdm_kits


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "action": {"type": "str", "required": True, "choices": ["enroll", "wipe"]},
            "kits": {"type": "list", "elements": "dict", "required": True},
            "reason": {"type": "str", "default": ""},
            "bundle_dir": {"type": "path"},
            "profiles_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params: dict[str, Any] = module.params
    try:
        context = context_for(params["bundle_dir"], params["profiles_dir"], {})
    except Exception as err:
        module.fail_json(msg=str(err))
    kits, failures = mdm_kits(context, params["action"], params["kits"], params["reason"], module.check_mode)
    if failures:
        # Kits done so far are returned: the registry step after this one is skipped, and a re-run finishes.
        module.fail_json(msg="; ".join(failures), kits=kits, changed=bool(kits))
    module.exit_json(changed=bool(kits) and not module.check_mode, kits=kits)


if __name__ == "__main__":
    main()
