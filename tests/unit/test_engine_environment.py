"""How vardmote runs the Pulumi engine: its plugins found beside it, and the lab's backend and
passphrase given to the lab stack only, never over what the caller chose."""

from __future__ import annotations

import json
from pathlib import Path

from vardmote.platform.engine import (
    LAB_PASSPHRASE,
    engine_environment,
    find_pulumi,
    lab_stack_objects,
    lab_state_dir,
    stack_of,
)


def test_the_lab_stack_gets_a_file_backend_under_the_data_folder_and_the_lab_passphrase(tmp_path: Path) -> None:
    pulumi = tmp_path / "bin" / "pulumi"
    env = engine_environment(pulumi, stack="lab", base={"PATH": "/usr/bin", "XDG_DATA_HOME": str(tmp_path / "data")})
    state = tmp_path / "data" / "vardmote" / "pulumi-state"
    assert env["PULUMI_BACKEND_URL"] == state.as_uri()
    assert state.is_dir()
    assert env["PULUMI_CONFIG_PASSPHRASE"] == LAB_PASSPHRASE
    assert env["PATH"] == f"{tmp_path / 'bin'}:/usr/bin"
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"


def test_other_stacks_get_neither_the_lab_backend_nor_its_passphrase(tmp_path: Path) -> None:
    env = engine_environment(tmp_path / "pulumi", stack="rvn-prod", base={"PATH": "/usr/bin"}, state_dir=tmp_path)
    assert "PULUMI_BACKEND_URL" not in env
    assert "PULUMI_CONFIG_PASSPHRASE" not in env


def test_what_the_caller_set_wins(tmp_path: Path) -> None:
    base = {"PULUMI_BACKEND_URL": "file:///elsewhere", "PULUMI_CONFIG_PASSPHRASE_FILE": "/run/lab-passphrase"}
    env = engine_environment(tmp_path / "pulumi", stack="lab", base=base, state_dir=tmp_path / "state")
    assert env["PULUMI_BACKEND_URL"] == "file:///elsewhere"
    assert "PULUMI_CONFIG_PASSPHRASE" not in env


def test_the_lab_state_defaults_to_the_users_data_folder() -> None:
    assert lab_state_dir({}) == Path.home() / ".local" / "share" / "vardmote" / "pulumi-state"


def test_the_stack_is_read_from_the_command_line() -> None:
    assert stack_of(["up", "--stack", "lab", "--yes"]) == "lab"
    assert stack_of(["preview", "-s", "rvn-test"]) == "rvn-test"
    assert stack_of(["refresh", "--stack=lab"]) == "lab"
    assert stack_of(["version"]) is None


def test_a_pulumi_on_path_comes_before_the_built_one(tmp_path: Path) -> None:
    on_path = tmp_path / "pulumi"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert find_pulumi(path=str(tmp_path)) == on_path


def test_the_lab_stacks_objects_are_counted_from_its_state_without_the_engine(tmp_path: Path) -> None:
    """`lab down` warns when the state still lists objects of the Management API that goes with the lab."""
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert lab_stack_objects(env) == 0  # no state at all
    checkpoint = lab_state_dir(env) / ".pulumi" / "stacks" / "vardmote" / "lab.json"
    checkpoint.parent.mkdir(parents=True)
    resources = [
        {"type": "pulumi:pulumi:Stack"},
        {"type": "pulumi:providers:pulumi-python"},
        {"type": "pulumi-python:dynamic:Resource"},
        {"type": "pulumi-python:dynamic:Resource"},
    ]
    checkpoint.write_text(json.dumps({"version": 3, "checkpoint": {"latest": {"resources": resources}}}))
    assert lab_stack_objects(env) == 2
    checkpoint.write_text(json.dumps({"version": 3, "checkpoint": {"latest": {"manifest": {}}}}))  # destroyed
    assert lab_stack_objects(env) == 0
