"""Every check against its fixtures: a compliant baseline passes, and each failing case, which changes
one thing in the baseline, gives exactly the expected violations.

tests/fixtures/policies/<CHECK-ID>/baseline.yaml holds the compliant input; cases.yaml lists the
changes (`set: {dotted.path: value}` or `unset: [dotted.path]`) and the exact messages they must give.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from vardmote.core.sourced_yaml import load_sourced_yaml
from vardmote.policy.catalogue import all_checks
from vardmote.policy.model import Check, Location, Target
from vardmote.policy.platform_graph import PlatformGraph, PlatformResource
from vardmote.policy.targets import KitCheckContext
from vardmote.region.catalogue import load_catalogue

POLICY_FIXTURES = FIXTURES / "policies"
CHECKS = {check.id: check for check in all_checks()}
CATALOGUE = load_catalogue()


def load(path: Path) -> Any:
    return load_sourced_yaml(path).data  # the project's loader: it reads Ansible's !vault tag


def _parts(dotted: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in dotted.split(".")]


def changed(base: dict[str, Any], case: dict[str, Any], root_key: str) -> dict[str, Any]:
    """The baseline with exactly the case's change applied."""
    result = copy.deepcopy(base)
    for dotted, value in (case.get("set") or {}).items():
        parts = _parts(dotted)
        holder: Any = result if parts[0] in ("type", "name") else result[root_key]
        for part in parts[:-1]:
            holder = holder.setdefault(part, {}) if isinstance(holder, dict) else holder[part]
        holder[parts[-1]] = value
    for dotted in case.get("unset") or []:
        parts = _parts(dotted)
        holder = result[root_key]
        for part in parts[:-1]:
            holder = holder[part]
        del holder[parts[-1]]
    return result


def _resource(spec: dict[str, Any]) -> PlatformResource:
    name = spec.get("name", "resource")
    return PlatformResource(spec["type"], name, f"urn:pulumi:test::vardmote::{spec['type']}::{name}", "", spec["props"])


def target_of(spec: dict[str, Any]) -> Target:
    kind = spec["kind"]
    if kind == "platform_resource":
        resource = _resource(spec)
        return Target(kind, resource.urn, resource, Location(urn=resource.urn))
    if kind == "platform":
        graph = PlatformGraph("test", tuple(_resource(r) for r in spec["resources"]))
        return Target(kind, "stack:test", graph, Location())
    context: Any = KitCheckContext.of(CATALOGUE) if kind == "kit" else CATALOGUE
    return Target(kind, f"fixture.{kind}", spec["data"], Location("fixture.yaml", 1), context)


def root_key(spec: dict[str, Any]) -> str:
    return {"platform_resource": "props", "platform": "resources"}.get(spec["kind"], "data")


def messages(check: Check, target: Target) -> list[str]:
    return [violation.message for violation in check.violations(target)]


def cases() -> list[tuple[str, str]]:
    return [
        (check_id, case["name"])
        for check_id in sorted(CHECKS)
        for case in load(POLICY_FIXTURES / check_id / "cases.yaml")
    ]


def test_every_check_has_a_baseline_and_failing_cases() -> None:
    assert sorted(p.name for p in POLICY_FIXTURES.iterdir()) == sorted(CHECKS)
    for check_id in CHECKS:
        assert load(POLICY_FIXTURES / check_id / "cases.yaml"), check_id


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_the_compliant_baseline_passes(check_id: str) -> None:
    spec = load(POLICY_FIXTURES / check_id / "baseline.yaml")
    check = CHECKS[check_id]
    if spec["kind"] == "none":
        assert check.target_kind == "input"
        return
    target = target_of(spec)
    assert check.applies_to(target)
    assert messages(check, target) == []


@pytest.mark.parametrize(("check_id", "case_name"), cases())
def test_each_failing_case_gives_its_exact_violations(check_id: str, case_name: str) -> None:
    check = CHECKS[check_id]
    case = next(c for c in load(POLICY_FIXTURES / check_id / "cases.yaml") if c["name"] == case_name)
    if "input" in case:
        target = Target("input", "fixture", case["input"], Location("fixture.yaml", 1))
    else:
        spec = load(POLICY_FIXTURES / check_id / "baseline.yaml")
        target = target_of(changed(spec, case, root_key(spec)))
    assert check.applies_to(target)
    assert messages(check, target) == case["expect"]


def test_checks_have_stable_ids_titles_and_remediation() -> None:
    for check in CHECKS.values():
        assert check.title[0].isupper(), check.id
        assert check.remediation.endswith("."), check.id
        assert check.severity in ("critical", "high", "medium", "low")
