"""The policy runners end to end: fail closed, waivers, reports (SARIF validated against the official
schema), the command line, and the CrossGuard pack running the same checks."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pulumi_policy.policy
import pytest
from pulumi_policy import (
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy
from rich.console import Console
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT, edit_stack
from vardmote import __version__
from vardmote.cli.app import app
from vardmote.cli.policy import findings_table
from vardmote.core.problems import ProblemsFound, display_path
from vardmote.kits.leases import run_owner
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.registry import DeviceIds, KitRegistry
from vardmote.policy import crossguard
from vardmote.policy.catalogue import Waiver, all_checks, load_requirements, load_waivers
from vardmote.policy.crossguard import policies
from vardmote.policy.engine import evaluate
from vardmote.policy.model import Check, Location, Target
from vardmote.policy.platform_graph import SECRET, UNKNOWN, PlatformGraph
from vardmote.policy.reporters import junit, markdown, sarif
from vardmote.policy.runner import Selection, check
from vardmote.policy.targets import graph_of_stack, stack_targets
from vardmote.region.catalogue import load_catalogue

SARIF_SCHEMA = REPO_ROOT / "vardmote" / "third_party_schemas" / "sarif-2.1.0" / "sarif-schema-2.1.0.json"
TODAY = date(2026, 11, 25)
runner = CliRunner()


def run_cli(*args: str, project: Path = REPO_ROOT) -> Any:
    return runner.invoke(app, ["policy", "check", *args], env={"VARDMOTE_PROJECT_DIR": str(project)})


@pytest.fixture(autouse=True)
def no_registry_of_the_machine(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-project run checks the registry at the default location when there is one: the tests'
    runs see only the registries they make."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("VARDMOTE_DB_URL", raising=False)


@pytest.fixture(scope="module")
def repository_report(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
        patch.delenv("VARDMOTE_DB_URL", raising=False)
        return check(Selection(), REPO_ROOT, today=TODAY)


def test_the_repository_passes_every_check(repository_report: Any) -> None:
    assert not repository_report.failed, [str(o.violations) for o in repository_report.failures]
    checked = {o.check.id for o in repository_report.outcomes}
    # Everything but kits (no kit export in the repository) and unreadable inputs was checked.
    assert checked == {c.id for c in all_checks()} - {"VM-KIT-007", "VM-KIT-009", "VM-KIT-010", "VM-CORE-001"}


def test_a_non_compliant_stack_fails_naming_requirement_target_and_fix(project_copy: Path) -> None:
    edit_stack(project_copy, "rvn-test", "enable_h323: false", "enable_h323: true")
    result = run_cli("--stack", "rvn-test", "--format", "json", project=project_copy)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (finding,) = document["findings"]
    assert finding["check"] == "VM-PLAT-004"
    assert finding["target"] == (
        "urn:pulumi:rvn-test::vardmote::vardmote:platform:VideoPlatform$vardmote:platform:PlatformSettings"
        "$pulumi-python:dynamic/pexip:GlobalSettings::global"
    )
    assert finding["violations"][0]["message"] == "enable_h323 is True, must be false"
    assert finding["remediation"].startswith("Set security.enable_h323")
    assert finding["requirements"] == ["HSLF-FS-2016-40-3-15", "NIS2-21-2-j"]
    requirement = next(r for r in document["requirements"] if r["id"] == "HSLF-FS-2016-40-3-15")
    assert requirement["checks"]["VM-PLAT-004"] == "fail"


def test_an_invitation_with_a_personnummer_fails_at_its_line(tmp_path: Path) -> None:
    invitation = tmp_path / "kallelse.yaml"
    invitation.write_text(
        "description: x\nsubject: Klicka här för att delta i ditt bokade SIP-möte\n"
        "body: |\n  Patient 811218-9876\n  {{ meeting_link }}\n",
        encoding="utf-8",
    )
    result = run_cli(str(invitation), "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["check"] == "VM-INV-001"
    assert [(v["message"], v["location"]) for v in finding["violations"]] == [
        ("body (line 1) contains a personnummer: ••••••-••••", f"{invitation}:3")
    ]


def test_unreadable_and_unrecognised_files_fail_closed(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    (tmp_path / "mystery.yaml").write_text("colour: blue\n", encoding="utf-8")
    result = run_cli(str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    messages = {f["target"]: f["violations"][0]["message"] for f in json.loads(result.stdout)["findings"]}
    assert messages[f"{tmp_path}/mystery.yaml"] == "cannot tell what this file is, so it cannot be checked"
    assert messages[f"{tmp_path}/broken.yaml"].startswith("invalid YAML: ")


class Crashes(Check):
    id = "VM-TEST-001"
    title = "Crashes"
    severity = "low"
    remediation = "None."
    target_kind = "invitation"
    mandatory = False

    def violations(self, target: Target) -> Any:
        raise KeyError("boom")


def test_a_crashing_check_is_an_error_that_fails_the_run_even_if_advisory() -> None:
    target = Target("invitation", "x", {}, Location("x.yaml", 1))
    report = evaluate([target], [Crashes()], [], [], TODAY)
    (outcome,) = report.outcomes
    assert outcome.status == "error"
    assert outcome.violations[0].message == "the check crashed on this target: KeyError: 'boom'"
    assert report.failed


def _subject_report(waivers: list[Waiver]) -> Any:
    target = Target("invitation", "device_profiles/invitations/x.yaml", {"subject": "Hej", "body": "b"}, Location())
    checks = [c for c in all_checks() if c.id == "VM-INV-004"]
    return evaluate([target], checks, load_requirements(), waivers, TODAY)


def waiver(expires: date, target: str = "device_profiles/invitations/*") -> Waiver:
    return Waiver(
        check="VM-INV-004",
        target=target,
        justification="Pilot text agreed with the data protection officer",
        approved_by="Informationssäkerhetssamordnare RVN",
        expires=expires,
    )


def test_a_waiver_in_force_suppresses_its_finding_and_is_shown() -> None:
    report = _subject_report([waiver(date(2027, 1, 31))])
    assert [o.status for o in report.outcomes] == ["waived"]
    assert not report.failed
    assert "| VM-INV-004 | `device_profiles/invitations/*` |" in markdown.render(report)
    results = sarif.document(report)["runs"][0]["results"]
    assert results[0]["suppressions"][0]["status"] == "accepted"


def test_an_expired_waiver_suppresses_nothing_and_fails_the_run() -> None:
    report = _subject_report([waiver(date(2026, 11, 24))])
    assert [o.status for o in report.outcomes] == ["fail"]
    assert report.expired_waivers
    assert report.failed
    assert "## Expired waivers (these fail the run)" in markdown.render(report)


def test_a_waiver_for_another_target_does_not_apply() -> None:
    report = _subject_report([waiver(date(2027, 1, 31), target="Pulumi.*")])
    assert [o.status for o in report.outcomes] == ["fail"]


def test_sarif_is_valid_against_the_official_schema(project_copy: Path) -> None:
    edit_stack(project_copy, "rvn-test", "min_pin_length: 6", "min_pin_length: 4")
    report = check(Selection(stacks=["rvn-test"]), project_copy, today=TODAY)
    document = sarif.document(report)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {c.id for c in all_checks()}
    (result,) = run["results"]
    assert result["ruleId"] == "VM-PLAT-007"
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("Pulumi.rvn-test.yaml")
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "VM-PLAT-007")
    assert rule["properties"]["security-severity"] == "5.5"
    assert "RUT-3.3" in rule["properties"]["tags"]


def test_junit_has_a_case_per_check_and_target() -> None:
    report = check(Selection(stacks=["lab"]), REPO_ROOT, today=TODAY)
    root = ET.fromstring(junit.render(report))
    assert root.get("failures") == "0"
    assert int(root.get("tests") or 0) == len(report.outcomes)
    assert {suite.get("name") for suite in root} == {"platform", "platform_resource", "stack_file", "ansible_vars"}


def test_the_markdown_report_reads_as_a_review(repository_report: Any) -> None:
    text = markdown.render(repository_report)
    assert text.startswith("# Security review: vardmote policy check\n\n**Result: passed**")
    assert "| RUT-4.2.4-a | Rutin för digitala vårdmöten 4.2.4 a |" in text
    assert "📝 manual: Consent and the confidentiality assessment" in text


def test_output_is_written_to_a_file(tmp_path: Path) -> None:
    output = tmp_path / "reports" / "review.md"
    result = run_cli("--profiles", "--format", "markdown", "--output", str(output))
    assert result.exit_code == 0
    assert output.read_text(encoding="utf-8").startswith("# Security review")
    assert f"report written to {output}" in result.stderr


def test_crossguard_runs_the_same_checks_on_engine_arguments() -> None:
    by_name = {p.name: p for p in policies()}
    assert set(by_name) == {c.id.lower() for c in all_checks() if c.target_kind in ("platform", "platform_resource")}
    violations: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        violations.append((message, urn))

    args = ResourceValidationArgs(
        resource_type="pulumi-python:dynamic/pexip:GlobalSettings",
        props={"fields": {"crypto_mode": "besteffort"}},
        urn="urn:pulumi:rvn-prod::vardmote::pulumi-python:dynamic/pexip:GlobalSettings::global",
        name="global",
        opts=None,  # type: ignore[arg-type]
        provider=None,
    )
    resource_policy = by_name["vm-plat-003"]
    assert isinstance(resource_policy, ResourceValidationPolicy)
    assert resource_policy.validate is not None
    resource_policy.validate(args, report)
    assert violations == [
        (
            "VM-PLAT-003: crypto_mode is 'besteffort', must be 'on'. Fix: Set vardmote:platform.security.crypto_mode "
            'to "on"; routing rules inherit it.',
            args.urn,
        )
    ]
    violations.clear()
    stack = StackValidationArgs(resources=[])
    stack_policy = by_name["vm-plat-002"]
    assert isinstance(stack_policy, StackValidationPolicy)
    assert stack_policy.validate is not None
    stack_policy.validate(stack, report)
    assert [message for message, _ in violations] == [
        "VM-PLAT-002: the stack has no single vardmote:platform:VideoPlatform root; placement is unknown. "
        "Fix: Move the host to a site listed in vardmote:platform.allowed_locations, or correct the list."
    ]


def test_every_check_serves_a_requirement_and_every_named_check_exists() -> None:
    requirements = load_requirements()
    named = {c for r in requirements for c in r.checks}
    assert named == {c.id for c in all_checks()}
    sections = {r.source.section.split()[0].rstrip(",") for r in requirements if r.source.document.startswith("Rutin")}
    assert {"3.3", "4.2.2", "4.2.3", "4.2.4", "5.1", "5.2"} <= sections


def test_the_reviewers_guide_lists_every_check() -> None:
    guide = (REPO_ROOT / "docs" / "policy-guide.md").read_text(encoding="utf-8")
    for policy_check in all_checks():
        assert f"| {policy_check.id} | {policy_check.title} |" in guide, policy_check.id


def test_kits_in_the_registry_are_checked_and_a_wrong_support_tag_fails(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    engine = open_engine(url)
    registry = KitRegistry(engine, load_catalogue(), actor="test")
    for serial in ("S1", "S2"):
        registry.register(
            DeviceIds(serial), model="samsung-galaxy-tab-s10-plus-5g", municipality_code="2262", owner=run_owner()
        )
    with engine.begin() as connection:  # a kit whose label was printed for the wrong party
        connection.execute(text("UPDATE kits SET support_party = 'region' WHERE serial = 'S2'"))
    engine.dispose()
    result = runner.invoke(app, ["policy", "check", "--kits", "--format", "json"], env={"VARDMOTE_DB_URL": url})
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["check"], finding["target"]) == ("VM-KIT-007", "kit:RVN-2262-00002")
    assert finding["violations"][0]["message"] == "support tag is 'region', must be 'municipality'"


def test_an_unreachable_registry_fails_closed() -> None:
    result = runner.invoke(
        app,
        ["policy", "check", "--kits", "--format", "json"],
        env={"VARDMOTE_DB_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"},
    )
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["check"] == "VM-CORE-001"
    assert finding["violations"][0]["message"].startswith("cannot read the kit registry: ")


def test_a_plain_secret_in_a_playbooks_vars_is_found(tmp_path: Path) -> None:
    playbook = tmp_path / "site.yml"
    playbook.write_text(
        "- name: Configure TURN\n  hosts: edge\n  vars:\n    coturn_static_auth_secret: hunter2hunter2\n  tasks: []\n",
        encoding="utf-8",
    )
    result = run_cli(str(playbook), "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["check"] == "VM-SRV-001"
    violation = finding["violations"][0]
    assert (violation["message"], violation["location"]) == (
        "0.vars.coturn_static_auth_secret holds a plain-text secret",
        f"{playbook}:4",
    )


# -- fail closed, visibly -------------------------------------------------------------------------


def _findings(result: Any) -> list[dict[str, Any]]:
    return list(json.loads(result.stdout)["findings"])


def _whole_project(tmp_path: Path) -> Path:
    """A copy of everything a whole-project run reads: the stacks and the Ansible tree."""
    project = tmp_path / "project"
    project.mkdir()
    for path in REPO_ROOT.glob("Pulumi*.yaml"):
        shutil.copy(path, project / path.name)
    shutil.copytree(REPO_ROOT / "provisioning", project / "provisioning", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def test_a_production_stack_without_its_pexip_block_fails_however_else_it_is_broken(project_copy: Path) -> None:
    """The stack's own validation refuses a deployed platform without its Management API, so the
    review cannot read the platform at all: it fails, naming the key, and says which checks could not run."""
    path = project_copy / "Pulumi.rvn-prod.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("    pexip:\n"), text.index("    security:\n")
    text = text[:start] + text[end:]
    text = text.replace("enable_h323: false", "enable_h323: true").replace('crypto_mode: "on"', 'crypto_mode: "off"')
    path.write_text(text, encoding="utf-8")
    result = run_cli("--stack", "rvn-prod", "--format", "json", project=project_copy)
    assert result.exit_code == 1
    (unreadable,) = [f for f in _findings(result) if f["check"] == "VM-CORE-001"]
    assert unreadable["violations"][0]["message"].startswith(
        "config.vardmote:platform.pexip: required where the platform's nodes are deployed (vsphere)"
    )
    (objects,) = [f for f in _findings(result) if f["check"] == "VM-CORE-002"]
    assert objects["violations"][0]["message"] == "no platform was found to check, so this check could not run"
    assert "Result: FAILED" in run_cli("--stack", "rvn-prod", "--format", "markdown", project=project_copy).stdout


def test_a_missing_stack_file_and_a_missing_ansible_tree_fail_the_whole_project_run(tmp_path: Path) -> None:
    project = _whole_project(tmp_path)
    (project / "Pulumi.rvn-prod.yaml").unlink()
    shutil.rmtree(project / "provisioning")
    result = run_cli("--format", "json", project=project)
    assert result.exit_code == 1
    messages = {f["target"]: f["violations"][0]["message"] for f in _findings(result) if f["check"] == "VM-CORE-001"}
    assert messages["stack:rvn-prod"].startswith("no stack 'rvn-prod' in ")
    assert messages["provisioning/"] == "the Ansible tree is missing"


def test_a_plain_text_secret_is_one_finding_and_the_rest_of_the_stack_is_still_checked(project_copy: Path) -> None:
    compliant = check(Selection(stacks=["rvn-prod"]), project_copy, today=TODAY)
    edit_stack(project_copy, "rvn-prod", "config:\n", "config:\n  vardmote:pexipPassword: Sommar2026!\n")
    edit_stack(project_copy, "rvn-prod", "enable_h323: false", "enable_h323: true")
    report = check(Selection(stacks=["rvn-prod"]), project_copy, today=TODAY)
    assert report.targets == compliant.targets
    found = sorted((o.check.id, v.message, str(loc)) for o in report.failures for v, loc in o.locations())
    assert found == [
        (
            "VM-PLAT-004",
            "enable_h323 is True, must be false",
            f"{project_copy}/Pulumi.rvn-prod.yaml:72 ({_global_urn('rvn-prod')})",
        ),  # the key's line
        ("VM-PLAT-017", "vardmote:pexipPassword is written in plain text", f"{project_copy}/Pulumi.rvn-prod.yaml:13"),
    ]


def test_a_plain_text_sip_trunk_password_is_a_finding_of_its_own_key(project_copy: Path) -> None:
    edit_stack(project_copy, "rvn-prod", "config:\n", "config:\n  vardmote:sipTrunkPassword: Sommar2026!\n")
    report = check(Selection(stacks=["rvn-prod"]), project_copy, today=TODAY)
    found = sorted((o.check.id, v.message, str(loc)) for o in report.failures for v, loc in o.locations())
    assert found == [
        (
            "VM-PLAT-017",
            "vardmote:sipTrunkPassword is written in plain text",
            f"{project_copy}/Pulumi.rvn-prod.yaml:13",
        )
    ]


def _global_urn(stack: str) -> str:
    return (
        f"urn:pulumi:{stack}::vardmote::vardmote:platform:VideoPlatform$vardmote:platform:PlatformSettings"
        "$pulumi-python:dynamic/pexip:GlobalSettings::global"
    )


def test_a_registry_url_that_points_nowhere_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "registry.sqlite"
    result = runner.invoke(
        app, ["policy", "check", "--kits", "--format", "json"], env={"VARDMOTE_DB_URL": f"sqlite:///{missing}"}
    )
    assert result.exit_code == 1
    (finding,) = _findings(result)
    assert finding["check"] == "VM-CORE-001"
    assert finding["violations"][0]["message"] == f"no kit registry at {missing}"
    assert not missing.exists()
    assert not missing.parent.exists()


def test_the_whole_project_run_checks_the_kits_of_a_configured_registry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    engine = open_engine(url)
    registry = KitRegistry(engine, load_catalogue(), actor="test")
    registry.register(
        DeviceIds("S1"), model="samsung-galaxy-tab-s10-plus-5g", municipality_code="2262", owner=run_owner()
    )
    with engine.begin() as connection:
        connection.execute(text("UPDATE kits SET model = 'lenovo-tab-p12'"))
    engine.dispose()
    result = runner.invoke(
        app,
        ["policy", "check", "--format", "json"],
        env={"VARDMOTE_DB_URL": url, "VARDMOTE_PROJECT_DIR": str(REPO_ROOT)},
    )
    assert result.exit_code == 1
    (finding,) = _findings(result)
    assert (finding["check"], finding["target"]) == ("VM-KIT-010", "kit:RVN-2262-00001")


def test_the_whole_project_run_checks_a_registry_at_the_default_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    report = check(Selection(), REPO_ROOT, today=TODAY)
    assert not any(o.target.kind == "kit" for o in report.outcomes)  # no registry: no kits, and no error
    database = tmp_path / "vardmote" / "registry.sqlite"
    database.parent.mkdir()
    engine = open_engine(f"sqlite:///{database}")
    KitRegistry(engine, load_catalogue(), actor="test").register(
        DeviceIds("S1"), model="samsung-galaxy-tab-s10-plus-5g", municipality_code="2262", owner=run_owner()
    )
    engine.dispose()
    report = check(Selection(), REPO_ROOT, today=TODAY)
    assert {o.target.id for o in report.outcomes if o.target.kind == "kit"} == {"kit:RVN-2262-00001"}
    assert f"registry sqlite:///{database}" in report.sources


def test_a_yaml_alias_bomb_is_one_bounded_finding(tmp_path: Path) -> None:
    bomb = tmp_path / "group_vars" / "all.yml"
    bomb.parent.mkdir()
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    rows += [f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]" for p, n in zip("abcde", "bcdef", strict=True)]
    bomb.write_text("\n".join([*rows, "vardmote_secret_token: [*f]"]) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_cli(str(bomb), "--format", "json")
    assert time.perf_counter() - started < 5
    assert result.exit_code == 1
    (finding,) = _findings(result)
    assert [(v["message"], v["location"]) for v in finding["violations"]] == [
        ("aliases expand to more than 100,000 values (an alias bomb)", f"{bomb}:5")
    ]


def test_an_impossible_date_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    variables = tmp_path / "group_vars" / "all.yml"
    variables.parent.mkdir()
    variables.write_text("certificate_renewal: 2027-02-30\nvardmote_tls_protocols: [TLSv1.2]\n", encoding="utf-8")
    result = run_cli(str(variables), "--format", "json")
    assert result.exit_code == 1
    (finding,) = _findings(result)
    assert [(v["message"], v["location"]) for v in finding["violations"]] == [
        ("2027-02-30 is not a date: day is out of range for month", f"{variables}:1")
    ]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - check: VM-INV-004\n    target: x\n    justification: a reason given\n"
        "    approved_by: someone\n    expires: 2027-02-30\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as raised:
        load_waivers(waivers)
    assert [str(p) for p in raised.value.problems] == [
        f"{display_path(waivers)}:6: 2027-02-30 is not a date: day is out of range for month"
    ]


def test_kit_export_findings_name_the_line_of_their_record(tmp_path: Path) -> None:
    export = tmp_path / "kits.jsonl"
    kit = {
        "asset_tag": "RVN-2262-00001",
        "serial": "R52W70ABCDE",
        "municipality_code": "2262",
        "alternative": 2,
        "model": "samsung-galaxy-tab-s10-plus-5g",
        "status": "enrolled",
        "support_party": "municipality",
        "contents": ["tablet", "stand", "speaker_microphone", "backpack", "charger_extension_cable"],
    }
    wrong = {**kit, "asset_tag": "RVN-2262-00002", "model": "lenovo-tab-p12"}
    export.write_text(f"{json.dumps(kit)}\n\n\n{json.dumps(wrong)}\n", encoding="utf-8")
    result = run_cli(str(export), "--format", "json")
    assert result.exit_code == 1
    (finding,) = _findings(result)
    assert finding["violations"][0]["location"] == f"{export}:4"
    export.write_text(f"{json.dumps(kit)}\n\n{{not json\n", encoding="utf-8")
    (finding,) = _findings(run_cli(str(export), "--format", "json"))
    assert finding["violations"][0]["location"] == f"{export}:3"


def test_one_broken_profile_is_one_finding_and_the_other_profiles_are_still_checked(tmp_path: Path) -> None:
    profiles = tmp_path / "device_profiles"
    shutil.copytree(REPO_ROOT / "device_profiles", profiles)
    broken = profiles / "kiosk" / "video-webclient-status-bar.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "unknown_setting: true\n", encoding="utf-8")
    invitation = profiles / "invitations" / "vardbesok.yaml"
    text_ = invitation.read_text(encoding="utf-8")
    invitation.write_text(text_.replace("{{ meeting_link }}", "{{ meeting_link }} {patient_name}", 1), encoding="utf-8")
    report = check(Selection(profiles=True), REPO_ROOT, profiles, today=TODAY)
    failed = {(o.check.id, o.target.id) for o in report.failures}
    assert ("VM-CORE-001", "device_profiles") in failed
    assert ("VM-INV-002", display_path(invitation)) in failed
    checked = {o.target.id for o in report.outcomes if o.check.id == "VM-KIT-001"}
    assert checked == {display_path(profiles / "kiosk" / "video-webclient.yaml")}


def test_a_check_with_nothing_to_look_at_in_a_kind_it_should_see_is_an_error() -> None:
    srv_001 = [c for c in all_checks() if c.id == "VM-SRV-001"]
    report = evaluate([], srv_001, [], [], TODAY, expected_kinds={"ansible_vars"})
    (outcome,) = report.outcomes
    assert outcome.status == "error"
    assert outcome.violations[0].message == "no ansible vars was found to check, so this check could not run"
    assert report.failed
    assert report.status_of_check("VM-SRV-001") == "error"


# -- one verdict, two runners ---------------------------------------------------------------------

PLAINTEXT_STAND_IN = "the engine sends the secret's plain value inside its marker"


def to_wire(value: Any) -> Any:
    """A recorded value as the engine sends it to a policy pack: numbers as doubles, secrets inside the
    secret marker with their plain value, values unknown during preview as the unknown sentinels."""
    if value == SECRET:
        return {crossguard.SIG_KEY: crossguard.SECRET_SIG, "value": PLAINTEXT_STAND_IN}
    if value == UNKNOWN:
        return "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def crossguard_findings(graph: PlatformGraph, waivers: list[Waiver]) -> set[tuple[str, str | None, str]]:
    """Run every policy of the pack on the stack as the engine would: each resource's inputs to every
    resource policy, then the stack's outputs (inputs plus what the provider adds) to the stack policies."""
    found: set[tuple[str, str | None, str]] = set()

    def report(message: str, urn: str | None = None) -> None:
        check_id, rest = message.split(": ", 1)
        found.add((check_id, urn, rest.rsplit(". Fix: ", 1)[0]))

    built = crossguard.policies(waivers, TODAY)
    no_options: Any = None  # the checks read neither resource options nor providers
    for resource in graph.resources:
        props = unknown_checking_proxy(to_wire(resource.props))
        args = ResourceValidationArgs(resource.type, props, resource.urn, resource.name, no_options, None)
        for policy in built:
            if isinstance(policy, ResourceValidationPolicy) and policy.validate is not None:
                policy.validate(args, report)
    by_urn: dict[str, PolicyResource] = {}
    for resource in graph.resources:
        outputs = unknown_checking_proxy(to_wire({**resource.props, "id": f"{resource.name}-id"}))
        parent = by_urn.get(resource.parent)
        by_urn[resource.urn] = PolicyResource(
            resource.type, outputs, resource.urn, resource.name, no_options, None, parent, [], {}
        )
    stack = StackValidationArgs(resources=list(by_urn.values()))
    for policy in built:
        if isinstance(policy, StackValidationPolicy) and policy.validate is not None:
            policy.validate(stack, report)
    return found


def offline_findings(report: Any) -> set[tuple[str, str | None, str]]:
    return {
        (o.check.id, o.target.location.urn if o.target.kind == "platform_resource" else None, v.message)
        for o in report.failures
        if o.target.kind in crossguard.PLATFORM_KINDS
        for v in o.violations
    }


def _non_compliant_rvn_test(project: Path) -> None:
    edit_stack(project, "rvn-test", "enable_h323: false", "enable_h323: true")
    edit_stack(project, "rvn-test", "min_pin_length: 6", "min_pin_length: 4")
    edit_stack(project, "rvn-test", "logs_max_age: 90", "logs_max_age: 7")
    edit_stack(project, "rvn-test", "guests_wait_for_host: true", "guests_wait_for_host: false")


@pytest.mark.parametrize("stack", ["lab", "rvn-test", "rvn-prod", "rvn-test non-compliant"])
def test_the_crossguard_pack_fed_the_engines_wire_format_gives_the_offline_runners_findings(
    stack: str, project_copy: Path
) -> None:
    name = stack.split(maxsplit=1)[0]
    if stack.endswith("non-compliant"):
        _non_compliant_rvn_test(project_copy)
    waivers = [
        Waiver(
            check="VM-PLAT-007",
            target="urn:pulumi:rvn-test::*",
            justification="Four-digit PINs while the telephony provider is replaced",
            approved_by="Informationssäkerhetssamordnare RVN",
            expires=date(2027, 1, 31),
        )
    ]
    offline = offline_findings(
        evaluate(stack_targets(name, project_copy), all_checks(), load_requirements(), waivers, TODAY)
    )
    graph, _, _ = graph_of_stack(name, project_copy)
    assert crossguard_findings(graph, waivers) == offline
    if stack.endswith("non-compliant"):
        assert {check_id for check_id, _, _ in offline} == {"VM-PLAT-004", "VM-PLAT-006", "VM-PLAT-012"}
    else:
        assert offline == set()


def test_the_wire_format_is_normalised_once_for_every_check() -> None:
    crossguard.policies()
    # The pack's analyzer hands the checks the properties as sent: pulumi-policy's own unwrapping
    # would give them a secret's plain value, indistinguishable from a password written in plain text.
    analyzer_deserialise = pulumi_policy.policy.deserialize_properties  # type: ignore[attr-defined]
    assert analyzer_deserialise({"p": {"x": 1}}) == {"p": {"x": 1}}
    assert analyzer_deserialise is crossguard._raw_properties
    wire = {
        "count": 6.0,
        "ratio": 0.5,
        "password": {crossguard.SIG_KEY: crossguard.SECRET_SIG, "value": "hunter2"},
        "later": "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "nested": [{"flag": "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"}, {"__provider": "pickled"}],
        "output": {crossguard.SIG_KEY: crossguard.OUTPUT_SIG, "secret": True, "value": "x"},
    }
    assert crossguard.from_wire(unknown_checking_proxy(wire)) == {
        "count": 6,
        "ratio": 0.5,
        "password": SECRET,
        "later": UNKNOWN,
        "nested": [{"flag": UNKNOWN}, {}],
        "output": SECRET,
    }


def test_waivers_name_real_checks_need_a_role_to_cover_everything_and_expire_within_a_year(tmp_path: Path) -> None:
    def waiver_file(*entries: str) -> Path:
        path = tmp_path / "waivers.yaml"
        path.write_text("waivers:\n" + "".join(entries), encoding="utf-8")
        return path

    entry = (
        "  - check: {check}\n    target: '{target}'\n    justification: Agreed with the data protection officer\n"
        "    approved_by: Anna Berg\n    expires: {expires}\n{extra}"
    )
    ok = entry.format(check="VM-INV-004", target="device_profiles/*", expires="2027-06-30", extra="")
    assert len(load_waivers(waiver_file(ok), TODAY)) == 1
    path = waiver_file(
        entry.format(check="VM-INV-099", target="device_profiles/*", expires="2027-06-30", extra=""),
        entry.format(check="VM-INV-004", target="device_profiles/*", expires="2028-01-31", extra=""),
    )
    with pytest.raises(ProblemsFound) as raised:
        load_waivers(path, TODAY)
    assert [str(p) for p in raised.value.problems] == [
        f"{display_path(path)}:2: waivers[0].check: no check VM-INV-099",
        f"{display_path(path)}:11: waivers[1].expires: 2028-01-31 is more than a year away; a waiver is renewed "
        "at least yearly",
    ]
    everything = entry.format(check="VM-INV-004", target="*", expires="2027-06-30", extra="")
    with pytest.raises(ProblemsFound) as raised:
        load_waivers(waiver_file(everything), TODAY)
    (problem,) = raised.value.problems
    assert "needs the approver's role" in problem.message
    with_role = everything + "    approver_role: Informationssäkerhetsansvarig\n"
    assert load_waivers(waiver_file(with_role), TODAY)[0].covers("VM-INV-004", "anything at all")


# -- reports a reviewer can sign --------------------------------------------------------------------


@pytest.fixture(scope="module")
def failing_rvn_test(tmp_path_factory: pytest.TempPathFactory) -> Any:
    project = tmp_path_factory.mktemp("project")
    for path in REPO_ROOT.glob("Pulumi*.yaml"):
        shutil.copy(path, project / path.name)
    edit_stack(project, "rvn-test", 'crypto_mode: "on"', 'crypto_mode: "besteffort"')
    edit_stack(project, "rvn-test", "min_pin_length: 6", "min_pin_length: 4")
    return check(Selection(stacks=["rvn-test", "lab"]), project, today=TODAY), project


def test_the_markdown_report_has_provenance_and_a_verdict_per_stack(failing_rvn_test: Any) -> None:
    report, _ = failing_rvn_test
    text = markdown.render(report)
    assert "| lab | ✅ passed |\n| rvn-test | ❌ FAILED |" in text
    assert "## Provenance" in text
    assert f"- Tool: vardmote {__version__}" in text
    assert "- Read: `Pulumi.rvn-test.yaml`, `Pulumi.lab.yaml`" in text
    assert "- `policies/settings.yaml` sha256 `" in text
    assert "- Setting `operational_log_retention_days`: {'min': 30, 'max': 90}" in text
    assert re.search(r"- Commit: `([0-9a-f]{40}( \+ changes)?|unknown \(not a git checkout\))`", text)


def test_sarif_platform_findings_point_at_the_stack_files_key_and_carry_fingerprints(failing_rvn_test: Any) -> None:
    report, project = failing_rvn_test
    document = sarif.document(report)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    lines = (project / "Pulumi.rvn-test.yaml").read_text(encoding="utf-8").splitlines()
    results = document["runs"][0]["results"]
    pin = next(r for r in results if r["ruleId"] == "VM-PLAT-007")
    physical = pin["locations"][0]["physicalLocation"]
    assert "min_pin_length: 4" in lines[physical["region"]["startLine"] - 1]
    assert all(len(r["partialFingerprints"]["vardmoteFinding/v1"]) == 32 for r in results)
    assert len({r["partialFingerprints"]["vardmoteFinding/v1"] for r in results}) == len(results)
    assert document["runs"][0]["invocations"][0]["properties"]["stacks"] == {"lab": "passed", "rvn-test": "failed"}


def test_an_expired_waiver_is_a_failure_in_junit_and_sarif() -> None:
    report = _subject_report([waiver(date(2026, 11, 24))])
    root = ET.fromstring(junit.render(report))
    suite = next(s for s in root if s.get("name") == "waivers")
    (case,) = suite
    assert case.find("failure") is not None
    assert root.get("failures") == "2"  # the finding it no longer covers, and the waiver itself
    results = sarif.document(report)["runs"][0]["results"]
    expired = [r for r in results if "expired on 2026-11-24" in r["message"]["text"]]
    assert [r["level"] for r in expired] == ["error"]


def test_fail_on_and_baseline_decide_what_fails_the_run(tmp_path: Path, project_copy: Path) -> None:
    edit_stack(project_copy, "rvn-test", "min_pin_length: 6", "min_pin_length: 4")  # medium
    assert run_cli("--stack", "rvn-test", project=project_copy).exit_code == 1
    assert run_cli("--stack", "rvn-test", "--fail-on", "high", project=project_copy).exit_code == 0
    accepted = tmp_path / "accepted.json"
    assert (
        run_cli("--stack", "rvn-test", "--format", "json", "--output", str(accepted), project=project_copy).exit_code
        == 1
    )
    assert run_cli("--stack", "rvn-test", "--baseline", str(accepted), project=project_copy).exit_code == 0
    edit_stack(project_copy, "rvn-test", "enable_h323: false", "enable_h323: true")  # a new finding
    result = run_cli("--stack", "rvn-test", "--baseline", str(accepted), "--format", "json", project=project_copy)
    assert result.exit_code == 1
    states = {f["check"]: f["in_baseline"] for f in _findings(result)}
    assert states == {"VM-PLAT-007": True, "VM-PLAT-004": False}
    (tmp_path / "not-a-report.json").write_text("[]", encoding="utf-8")
    broken = run_cli("--stack", "rvn-test", "--baseline", str(tmp_path / "not-a-report.json"), project=project_copy)
    assert broken.exit_code == 2
    assert "not a baseline" in broken.stderr


def test_the_table_never_cuts_the_fix_at_80_columns(failing_rvn_test: Any) -> None:
    report, _ = failing_rvn_test
    table = findings_table(report)
    assert table is not None
    narrow = Console(width=80, record=True, file=io.StringIO())
    narrow.print(table)
    rows = narrow.export_text().splitlines()
    assert max(len(row) for row in rows) <= 80
    column = "".join(row.split("│")[5].strip() for row in rows if row.count("│") == 7)
    for outcome in report.failures:
        assert outcome.check.remediation.replace(" ", "") in column.replace(" ", "")


# -- the reviewer's mutations, each through the real program or the real Ansible tree -------------

STACK_MUTATIONS = [
    ("transcoding nodes on a public range", "cidr: 10.210.10.0/24", "cidr: 193.10.10.0/24", "VM-PLAT-005"),
    (
        "the DMZ port group set to the internal one",
        "port_group: pg-video-dmz-sdl",
        "port_group: pg-video-internal-sdl",
        "VM-PLAT-014",
    ),
    (
        "unverified vSphere TLS",
        'vsphere:allowUnverifiedSsl: "false"',
        'vsphere:allowUnverifiedSsl: "true"',
        "VM-PLAT-015",
    ),
    (
        "a plain secret under an unlisted key",
        "  vsphere:user:",
        "  vsphere:password: Sommar2026!\n  vsphere:user:",
        "VM-PLAT-017",
    ),
    ("guests without a PIN", "guest_pin_required: true", "guest_pin_required: false", "VM-PLAT-006"),
    (
        "no waiting room while an identity provider is named",
        "guests_wait_for_host: true",
        "guests_wait_for_host: false",
        "VM-PLAT-006",
    ),
    (
        "a routing rule dialling out over H.323",
        "participants: pc}",
        "participants: pc, outgoing_protocol: h323}",
        "VM-PLAT-016",
    ),
    ("operational logs kept a year", "logs_max_age: 90", "logs_max_age: 365", "VM-PLAT-012"),
    (
        "no log service for the access records",
        "syslog_servers: [logs.rvn.example]",
        "syslog_servers: []",
        "VM-PLAT-013",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "check_id"), STACK_MUTATIONS, ids=[m[0] for m in STACK_MUTATIONS])
def test_each_stack_mutation_fails_with_its_check_and_a_fix_naming_the_key(
    name: str, old: str, new: str, check_id: str, project_copy: Path
) -> None:
    edit_stack(project_copy, "rvn-prod", old, new)
    result = run_cli("--stack", "rvn-prod", "--format", "json", project=project_copy)
    assert result.exit_code == 1, name
    findings = _findings(result)
    # Without a log server the stack also lacks a platform object its environment needs.
    also = {"VM-CORE-002"} if check_id == "VM-PLAT-013" else set()
    assert {f["check"] for f in findings} == {check_id, *also}, findings
    key = new.split(":", maxsplit=1)[0].strip() if check_id in ("VM-PLAT-015", "VM-PLAT-017") else None
    for finding in findings:
        fix = finding["remediation"]
        assert "vardmote:platform" in fix or "pulumi config set --secret" in fix or (key and key in fix), fix


def test_a_sip_trunk_over_tcp_in_a_region_stack_fails_closed_naming_the_key_and_why(project_copy: Path) -> None:
    """The stack's own validation refuses it before any policy runs (VM-PLAT-016 still guards what the
    program declares, under CrossGuard too)."""
    edit_stack(project_copy, "rvn-prod", "transport: tls", "transport: tcp")
    result = run_cli("--stack", "rvn-prod", "--format", "json", project=project_copy)
    assert result.exit_code == 1
    (unreadable,) = [f for f in _findings(result) if f["check"] == "VM-CORE-001"]
    ((violation),) = unreadable["violations"]
    assert violation["location"] == f"{project_copy}/Pulumi.rvn-prod.yaml:111"
    assert violation["message"].startswith(
        "config.vardmote:platform.gateway.sip_trunk.transport: must be tls in a prod stack: over tcp"
    )


ANSIBLE_MUTATIONS = [
    (
        "journald retention of one day",
        "roles/baseline/defaults/main.yml",
        "baseline_journald_retention: 90day",
        "baseline_journald_retention: 1day",
        "VM-SRV-003",
    ),
    (
        "TLS 1.0 and 1.1",
        "group_vars/all.yml",
        "vardmote_tls_protocols: [TLSv1.2, TLSv1.3]",
        "vardmote_tls_protocols: [TLSv1, TLSv1.1, TLSv1.2, TLSv1.3]",
        "VM-SRV-004",
    ),
    (
        "a secret with a plain default",
        "group_vars/all.yml",
        "---\n",
        "---\nportal_db_password: \"{{ vault_portal_db_password | default('Sommar2026!') }}\"\n",
        "VM-SRV-001",
    ),
    (
        "a private key in group_vars",
        "group_vars/all.yml",
        "---\n",
        "---\nportal_tls_key: |\n  -----BEGIN RSA PRIVATE KEY-----\n"
        "  MIIEowIBAAKCAQEAx3pJcXw9fWc7m0b6c1YgJ2rD\n  -----END RSA PRIVATE KEY-----\n",
        "VM-SRV-002",
    ),
]


@pytest.mark.parametrize("mutation", ANSIBLE_MUTATIONS, ids=[m[0] for m in ANSIBLE_MUTATIONS])
def test_each_ansible_mutation_fails_with_its_check(mutation: tuple[str, str, str, str, str], tmp_path: Path) -> None:
    name, file, old, new, check_id = mutation
    tree = tmp_path / "provisioning"
    shutil.copytree(REPO_ROOT / "provisioning", tree, ignore=shutil.ignore_patterns("__pycache__"))
    path = tree / file
    text_ = path.read_text(encoding="utf-8")
    assert old in text_, name
    path.write_text(text_.replace(old, new, 1), encoding="utf-8")
    result = run_cli(str(tree), "--format", "json")
    assert result.exit_code == 1, name
    assert {f["check"] for f in _findings(result)} == {check_id}


def test_a_profile_with_an_impossible_date_is_one_finding_and_the_other_profiles_are_still_checked(
    tmp_path: Path,
) -> None:
    profiles = tmp_path / "device_profiles"
    shutil.copytree(REPO_ROOT / "device_profiles", profiles)
    broken = profiles / "kiosk" / "video-webclient-status-bar.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "reviewed: 2027-02-30\n", encoding="utf-8")
    report = check(Selection(profiles=True), REPO_ROOT, profiles, today=TODAY)
    messages = [(v.message, str(loc)) for o in report.failures for v, loc in o.locations()]
    line = broken.read_text(encoding="utf-8").count("\n")
    assert ("2027-02-30 is not a date: day is out of range for month", f"{display_path(broken)}:{line}") in messages
    checked = {o.target.id for o in report.outcomes if o.check.id == "VM-KIT-001"}
    assert checked == {display_path(profiles / "kiosk" / "video-webclient.yaml")}
    assert {o.target.id for o in report.outcomes if o.check.id == "VM-INV-003"} == {
        display_path(profiles / "invitations" / name) for name in ("sip-mote.yaml", "vardbesok.yaml")
    }
