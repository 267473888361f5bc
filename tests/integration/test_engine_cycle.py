"""The lab stack under the real Pulumi engine: preview agrees with the offline one, up, no-change up,
refresh without drift, destroy to an empty stack; and the stack's secrets are real ciphertexts.

Each run has its own file backend and PULUMI_HOME in a temporary folder, so it touches neither the
user's lab state nor the checkout (the test checks Pulumi.lab.yaml is left byte for byte). Needs the
`pulumi` that scripts/bootstrap.sh uses or builds; without one the tests are skipped, except in CI
(VARDMOTE_REQUIRE_ENGINE=1, set by .ci/run), where that is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vardmote.platform.engine import ENGINE_MISSING, LAB_STACK, ensure_stack, find_pulumi, run_pulumi
from vardmote.platform.stack_files import project_dir

VARDMOTE = str(Path(sys.executable).with_name("vardmote"))
REQUIRED = os.environ.get("VARDMOTE_REQUIRE_ENGINE") == "1"
TIMEOUT_S = 300

if find_pulumi() is None:
    if REQUIRED:
        pytest.fail(f"VARDMOTE_REQUIRE_ENGINE=1 but {ENGINE_MISSING}", pytrace=False)
    pytest.skip(ENGINE_MISSING, allow_module_level=True)


@dataclass(frozen=True)
class Engine:
    project: Path
    state_dir: Path
    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = run_pulumi(
            [*args, "--stack", LAB_STACK, "--non-interactive"],
            cwd=self.project,
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


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    project = project_dir()
    stack_file = project / f"Pulumi.{LAB_STACK}.yaml"
    before = stack_file.read_bytes()
    root = tmp_path_factory.mktemp("engine")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env["PULUMI_HOME"] = str(root / "pulumi-home")
    engine = Engine(project, root / "state", env)
    ensure_stack(LAB_STACK, cwd=project, env=env, state_dir=engine.state_dir)
    yield engine
    engine.run("destroy", "--yes", "--skip-preview", check=False)
    assert stack_file.read_bytes() == before, f"the engine rewrote {stack_file}"


def _offline_preview() -> dict[str, Any]:
    result = subprocess.run(
        [VARDMOTE, "preview", "--stack", LAB_STACK, "--format", "json"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _by_urn(steps: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """urn → what both previews must agree on; the engine leaves out empty parent and dependencies."""
    return {
        step["urn"]: {
            "op": step["op"],
            "type": step["newState"]["type"],
            "custom": bool(step["newState"].get("custom")),
            "parent": step["newState"].get("parent") or "",
            "dependencies": sorted(step["newState"].get("dependencies") or []),
            "inputs": step["newState"].get("inputs") or {},
        }
        for step in steps
    }


def test_the_engines_preview_agrees_with_the_offline_preview(engine: Engine) -> None:
    real = json.loads(engine.run("preview", "--json").stdout)
    offline = _offline_preview()
    real_steps, offline_steps = _by_urn(real["steps"]), _by_urn(offline["steps"])
    assert sorted(real_steps) == sorted(offline_steps)
    for urn, expected in offline_steps.items():
        assert real_steps[urn] == expected, urn
    assert real["changeSummary"] == {"create": len(offline_steps)}


def test_the_lab_secrets_are_ciphertexts_the_lab_passphrase_opens(engine: Engine) -> None:
    stack_file = (engine.project / f"Pulumi.{LAB_STACK}.yaml").read_text(encoding="utf-8")
    for key in ("vardmote:pexipPassword", "vardmote:nodePassword", "vardmote:turnSharedSecret"):
        assert f"  {key}:\n    secure: v1:" in stack_file, key
        opened = engine.run("config", "get", key)
        assert len(opened.stdout.strip()) >= 16, f"{key} decrypts to an empty or short value"
    wrong = run_pulumi(
        ["config", "get", "vardmote:turnSharedSecret", "--stack", LAB_STACK, "--non-interactive"],
        cwd=engine.project,
        env={**engine.env, "PULUMI_CONFIG_PASSPHRASE": "not-the-lab-passphrase"},
        state_dir=engine.state_dir,
        timeout=TIMEOUT_S,
    )
    assert wrong.returncode != 0
    assert "passphrase" in wrong.stderr.lower()


def test_up_creates_every_resource_and_a_second_up_changes_nothing(engine: Engine) -> None:
    expected = sorted(step["urn"] for step in _offline_preview()["steps"])
    engine.run("up", "--yes", "--skip-preview")
    assert sorted(resource["urn"] for resource in engine.state()) == expected
    engine.run("up", "--yes", "--expect-no-changes")
    again = json.loads(engine.run("preview", "--json").stdout)
    assert again["changeSummary"] == {"same": len(expected)}


def test_the_real_stacks_outputs_are_the_offline_previews(engine: Engine) -> None:
    engine.run("up", "--yes", "--skip-preview")
    outputs = json.loads(engine.run("stack", "output", "--json").stdout)
    assert outputs == _offline_preview()["outputs"]


def test_refresh_finds_no_drift(engine: Engine) -> None:
    engine.run("up", "--yes", "--skip-preview")
    refreshed = engine.run("refresh", "--yes", "--expect-no-changes")
    assert "unchanged" in refreshed.stdout


def test_destroy_leaves_an_empty_stack(engine: Engine) -> None:
    engine.run("up", "--yes", "--skip-preview")
    assert engine.state()
    engine.run("destroy", "--yes", "--skip-preview")
    assert engine.state() == []
