"""The real Pulumi engine as the integration tests run it: a `pulumi` found as vardmote finds it, each
run in the project folder with a PULUMI_HOME and data folder of the test's own (so the lab stack's file
backend, `$XDG_DATA_HOME/vardmote/pulumi-state`, is the test's too, and vardmote's commands started
with the same environment find it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vardmote.platform.engine import ENGINE_MISSING, LAB_STACK, ensure_stack, find_pulumi, lab_state_dir, run_pulumi
from vardmote.platform.stack_files import project_dir

# CI sets VARDMOTE_REQUIRE_ENGINE=1: there, a missing engine is a failure, never a skip.
REQUIRED = os.environ.get("VARDMOTE_REQUIRE_ENGINE") == "1"
TIMEOUT_S = 600


def require_engine() -> None:
    """Skip the calling module without an engine, except in CI, where that fails it."""
    if find_pulumi() is None:
        if REQUIRED:
            pytest.fail(f"VARDMOTE_REQUIRE_ENGINE=1 but {ENGINE_MISSING}", pytrace=False)
        pytest.skip(ENGINE_MISSING, allow_module_level=True)


def engine_env(root: Path) -> dict[str, str]:
    """This process's environment without the caller's Pulumi settings, homed under `root`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env["PULUMI_HOME"] = str(root / "pulumi-home")
    env["XDG_DATA_HOME"] = str(root / "data")
    return env


@dataclass(frozen=True)
class Engine:
    project: Path
    env: dict[str, str]

    @property
    def state_dir(self) -> Path:
        return lab_state_dir(self.env)

    def run(self, *args: str, check: bool = True, project: Path | None = None) -> subprocess.CompletedProcess[str]:
        result = run_pulumi(
            [*args, "--stack", LAB_STACK, "--non-interactive"],
            cwd=project or self.project,
            env=self.env,
            state_dir=self.state_dir,
            timeout=TIMEOUT_S,
        )
        if check:
            assert result.returncode == 0, f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def state(self) -> list[dict[str, Any]]:
        """Every resource in the stack's state (`pulumi stack export`)."""
        exported = json.loads(self.run("stack", "export").stdout)
        return list(exported.get("deployment", {}).get("resources") or [])

    def outputs(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return document


def lab_engine(project: Path, root: Path) -> Engine:
    engine = Engine(project, engine_env(root))
    ensure_stack(LAB_STACK, cwd=project, env=engine.env, state_dir=engine.state_dir)
    return engine


def lab_project_copy(
    target: Path, replacements: Sequence[tuple[str, str]] = (), folders: tuple[str, ...] = ("infra",)
) -> Path:
    """The Pulumi project in `target`/project, its lab stack changed by `replacements` (each must be
    there), with `folders` and the project's virtualenv (linked where the engine looks for it, see
    scripts/bootstrap.sh). Same project and stack names: with the same backend, the same state."""
    source = project_dir()
    copy = target / "project"
    copy.mkdir()
    shutil.copy(source / "Pulumi.yaml", copy / "Pulumi.yaml")
    text = (source / f"Pulumi.{LAB_STACK}.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    (copy / f"Pulumi.{LAB_STACK}.yaml").write_text(text, encoding="utf-8")
    for folder in folders:
        shutil.copytree(source / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    venv = Path(sys.executable).parent.parent
    (copy / ".venv").symlink_to(venv)
    (copy / "infra" / ".venv").symlink_to(venv)
    return copy
