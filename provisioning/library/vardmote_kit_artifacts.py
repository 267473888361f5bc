#!/usr/bin/python
"""Ansible module: render each kit's MDM policy or profile and support label into its enrollment bundle."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_kit_artifacts
short_description: Render a kit's policy, configuration profile and support label
description:
  - Android kits get an Android Management API policy validated against the API's discovery document;
    iPads get a configuration profile validated against Apple's schemas (signed when a certificate is set).
  - Files holding credentials are mode 0600. Supports check mode and diff.
options:
  kits: {description: Kit records from vardmote_kit_registry., type: list, elements: dict, required: true}
  bundle_dir: {description: Where enrollment bundles go (default VARDMOTE_BUNDLE_DIR)., type: path}
  profiles_dir: {description: The device_profiles tree., type: path}
  vault_values: {description: Secrets that profiles name by vault variable., type: dict, default: {}, no_log: true}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from provisioning.kits.module_support import context_for, render_kits


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "kits": {"type": "list", "elements": "dict", "required": True},
            "bundle_dir": {"type": "path"},
            "profiles_dir": {"type": "path"},
            "vault_values": {"type": "dict", "default": {}, "no_log": True},
        },
        supports_check_mode=True,
    )
    params: dict[str, Any] = module.params
    try:
        context = context_for(params["bundle_dir"], params["profiles_dir"], params["vault_values"])
        changed_files = render_kits(context, params["kits"], module.check_mode)
    except Exception as err:
        module.fail_json(msg=str(err))
    diff = [
        {"before_header": f"{tag}/", "after_header": f"{tag}/", "before": "", "after": "\n".join(files) + "\n"}
        for tag, files in changed_files.items()
        if files
    ]
    module.exit_json(changed=any(changed_files.values()), files=changed_files, diff=diff)


if __name__ == "__main__":
    main()
