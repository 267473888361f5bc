"""The lab stack under the real Pulumi engine, without the lab: the engine's preview agrees with the
offline one, and the stack's secrets are real ciphertexts that the lab's passphrase opens, as the
engine and vardmote's own reader (vardmote.platform.engine.lab_secret) both read them.

`pulumi up`, refresh and destroy need the Management API, which the lab serves: they run in the lab's
cycle (tests/integration/test_lab_cycle.py). Each run has its own file backend and PULUMI_HOME in a
temporary folder, so it touches neither the user's lab state nor the checkout (Pulumi.lab.yaml is left
byte for byte). Skipped without an engine, except in CI (VARDMOTE_REQUIRE_ENGINE=1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.pulumi_harness import TIMEOUT_S, Engine, lab_engine, require_engine
from vardmote.platform.engine import LAB_STACK, lab_secret, run_pulumi
from vardmote.platform.stack_files import project_dir

VARDMOTE = str(Path(sys.executable).with_name("vardmote"))

require_engine()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    project = project_dir()
    stack_file = project / f"Pulumi.{LAB_STACK}.yaml"
    before = stack_file.read_bytes()
    yield lab_engine(project, tmp_path_factory.mktemp("engine"))
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
    for key in (
        "vardmote:pexipPassword",
        "vardmote:nodePassword",
        "vardmote:turnSharedSecret",
        "vardmote:pexipLicenceKey",
    ):
        assert f"  {key}:\n    secure: v1:" in stack_file, key
        opened = engine.run("config", "get", key).stdout.strip()
        assert len(opened) >= 16, f"{key} decrypts to an empty or short value"
        assert lab_secret(key, engine.project) == opened, f"{key}: vardmote reads another value than the engine"
    wrong = run_pulumi(
        ["config", "get", "vardmote:turnSharedSecret", "--stack", LAB_STACK, "--non-interactive"],
        cwd=engine.project,
        env={**engine.env, "PULUMI_CONFIG_PASSPHRASE": "not-the-lab-passphrase"},
        state_dir=engine.state_dir,
        timeout=TIMEOUT_S,
    )
    assert wrong.returncode != 0
    assert "passphrase" in wrong.stderr.lower()
