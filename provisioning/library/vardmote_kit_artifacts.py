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
  secret_channel:
    description:
      - Where the running vardmote kit command serves the secrets it took out of the environment
        (APN passwords, the registry URL), and that may do the step's work itself; never stored.
    type: dict
    no_log: true
"""

from ansible.module_utils.basic import AnsibleModule

from vardmote.kits.module_support import artifacts_task
from vardmote.kits.task_specs import ARTIFACTS_SPEC


def main() -> None:
    module = AnsibleModule(argument_spec=ARTIFACTS_SPEC, supports_check_mode=True)
    result = artifacts_task(module.params, module.check_mode)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
