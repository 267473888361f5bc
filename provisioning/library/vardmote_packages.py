#!/usr/bin/python
"""Ansible module documentation for vardmote_packages; its work is done by the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: vardmote_packages
short_description: Debian packages installed, asking dpkg before apt
description:
  - Asks C(dpkg-query) whether every package is installed, and only when one is not runs
    M(ansible.builtin.apt) with these arguments and C(state=present). A run that finds everything
    installed never opens apt's cache, and does not refresh the package lists either.
  - Supports check mode.
options:
  name: {description: The packages (plain Debian package names)., type: list, elements: str, required: true}
  install_recommends: {description: As apt's., type: bool, default: false}
  update_cache: {description: As apt's; only when something is to be installed., type: bool, default: false}
  cache_valid_time: {description: As apt's., type: int, default: 0}
"""

from ansible.module_utils.basic import AnsibleModule

# The action plugin's own, repeated because the two load apart (a test holds them equal).
ARGUMENT_SPEC = {
    "name": {"type": "list", "elements": "str", "required": True},
    "install_recommends": {"type": "bool", "default": False},
    "update_cache": {"type": "bool", "default": False},
    "cache_valid_time": {"type": "int", "default": 0},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="vardmote_packages runs through its action plugin (provisioning/action_plugins)")


if __name__ == "__main__":
    main()
