"""The roles' `vardmote_packages` action, run by Ansible on this machine: installed packages are found
by dpkg without apt; anything missing goes to apt with the task's own arguments."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

PROVISIONING = REPO_ROOT / "provisioning"

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs a Debian machine (dpkg-query)")


def run_action(arguments: str, tree: Path, *, check: bool = False) -> tuple[bool, dict[str, Any]]:
    """`ansible localhost -m vardmote_packages -a ARGUMENTS`: whether it failed (its exit code), and its
    result as Ansible's tree callback writes it."""
    command = [
        str(Path(sys.executable).parent / "ansible"), "localhost", "--connection", "local",
        "--extra-vars", f"ansible_python_interpreter={sys.executable}",
        "--module-name", "vardmote_packages", "--args", arguments, *(["--check"] if check else []),
    ]  # fmt: skip
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(PROVISIONING / "ansible.cfg"),
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "true",
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree",
        "ANSIBLE_CALLBACK_TREE_DIR": str(tree),
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
    }
    done = subprocess.run(command, check=False, cwd=PROVISIONING, env=env, capture_output=True, timeout=120)
    result: dict[str, Any] = json.loads((tree / "localhost").read_text(encoding="utf-8"))
    return done.returncode != 0, result


def test_installed_packages_are_found_by_dpkg_without_apt(tmp_path: Path) -> None:
    failed, result = run_action("name=dpkg,coreutils", tmp_path)
    assert not failed, result
    assert result["changed"] is False
    # apt would have answered on its own terms; this answer is dpkg-query's.
    assert result["msg"] == "installed already: dpkg, coreutils"


def test_a_package_dpkg_does_not_have_goes_to_apt(tmp_path: Path) -> None:
    failed, result = run_action("name=dpkg,vardmote-no-such-package update_cache=false", tmp_path, check=True)
    assert failed, result
    # apt's own refusal (or its need of python3-apt on a machine without it): apt was asked.
    assert "vardmote-no-such-package" in result["msg"] or "python3-apt" in result["msg"], result["msg"]


def test_a_wrong_argument_fails_the_task_naming_it(tmp_path: Path) -> None:
    failed, result = run_action("name=dpkg state=latest", tmp_path)
    assert failed, result
    assert "Unsupported parameters for (vardmote_packages) module: state." in result["msg"], result["msg"]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"vardmote_packages_{path.parent.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_arguments_are_the_actions() -> None:
    action = _load(PROVISIONING / "action_plugins" / "vardmote_packages.py")
    documented = _load(PROVISIONING / "library" / "vardmote_packages.py")
    assert documented.ARGUMENT_SPEC == action.ARGUMENT_SPEC
