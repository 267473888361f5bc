"""The platform checks as a Pulumi CrossGuard policy pack: the same checks and the same verdict, a
second runner.

`policies/__main__.py` hands these policies to `PolicyPack`, which serves them to the engine during
`pulumi preview --policy-pack policies`. Building them here, apart from `PolicyPack` (whose
constructor starts a server and blocks), keeps them importable and testable.

The engine's wire format is not what the offline runner's recording holds, and every difference is
normalised here, once, before any check sees a value (`from_wire`):
- numbers arrive as doubles: a whole number is an int, as in the recording (no platform input is a
  fractional number by its schema: PlatformConfig's numbers are all `int`);
- secrets arrive as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  "value": …}`, which pulumi-policy would unwrap to the plain value: the pack keeps the marker
  (`keep_wire_format`), and a secret reads as `[secret]`, as offline;
- values known only after deployment arrive as the engine's unknown sentinels, which pulumi-policy
  turns into an exception on access (and the policy into "can't run during preview"): they read as
  `[unknown]`, and the check fails closed on them exactly as it does offline;
- a stack policy sees each resource's outputs; the checks are written against inputs, so the inputs
  that the engine sent with each resource's own validation are used where the engine sent them.
Findings go through the engine's own `evaluate`, so the waivers in policies/waivers.yaml apply, an
expired waiver suppresses nothing, and a crashing check is reported, as in `vardmote policy check`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any

import pulumi_policy.policy as policy_module
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import proxy as policy_proxy
from pulumi_policy.secret import Secret

from vardmote.policy.catalogue import Requirement, Waiver, all_checks, load_requirements, load_waivers
from vardmote.policy.engine import Outcome, evaluate
from vardmote.policy.model import Check, Location, Target
from vardmote.policy.platform_graph import SECRET, UNKNOWN, PlatformGraph, PlatformResource

PLATFORM_KINDS = ("platform_resource", "platform")
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN_SENTINELS = frozenset(
    {
        policy_proxy.UNKNOWN_BOOLEAN_VALUE,
        policy_proxy.UNKNOWN_NUMBER_VALUE,
        policy_proxy.UNKNOWN_STRING_VALUE,
        policy_proxy.UNKNOWN_ARRAY_VALUE,
        policy_proxy.UNKNOWN_ASSET_VALUE,
        policy_proxy.UNKNOWN_ARCHIVE_VALUE,
        policy_proxy.UNKNOWN_OBJECT_VALUE,
    }
)
# Inputs the offline recording leaves out too: a dynamic resource's pickled provider.
HIDDEN_INPUTS = frozenset({"__provider"})


def from_wire(value: Any) -> Any:
    """An engine value as the checks read it (see the module's docstring)."""
    if isinstance(value, policy_proxy._DictProxy | policy_proxy._ListProxy):
        return from_wire(value["__target"])  # the raw value: no UnknownValueError on reading it
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, Mapping):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SECRET
        if signature == RESOURCE_REFERENCE_SIG:
            return value.get("urn")
        if signature == OUTPUT_SIG:
            if value.get("secret"):
                return SECRET
            return from_wire(value["value"]) if "value" in value else UNKNOWN
        return {key: from_wire(item) for key, item in value.items() if key not in HIDDEN_INPUTS}
    if isinstance(value, list | tuple):
        return [from_wire(item) for item in value]
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _raw_properties(props: dict[str, Any], proxy_secrets: bool = False) -> dict[str, Any]:
    return props  # MessageToDict's fresh dict, secret markers and unknown sentinels kept


def keep_wire_format() -> None:
    """Have pulumi-policy hand the checks the engine's properties as sent, secret markers included.
    Its own deserialisation replaces each secret by its plain value, after which no check can tell a
    secret input from a password written in plain text."""
    policy_module.deserialize_properties = _raw_properties  # type: ignore[attr-defined]


class Verdict:
    """The offline runner's verdict for one target at a time: checks, requirements and waivers loaded
    once, and the inputs of each resource remembered for the stack policies."""

    def __init__(self, requirements: list[Requirement], waivers: list[Waiver], today: date | None = None) -> None:
        self.requirements = requirements
        self.waivers = waivers
        self.today = today
        self.inputs_by_urn: dict[str, dict[str, Any]] = {}

    def outcomes(self, check: Check, target: Target) -> list[Outcome]:
        report = evaluate([target], [check], self.requirements, self.waivers, self.today)
        return [o for o in report.outcomes if o.status in ("fail", "error")]

    def resource(self, resource_type: str, name: str, urn: str, props: Any, parent: str = "") -> PlatformResource:
        inputs = from_wire(props)
        self.inputs_by_urn[urn] = inputs
        return PlatformResource(type=resource_type, name=name, urn=urn, parent=parent, props=inputs)

    def stack_resource(self, resource: PolicyResource) -> PlatformResource:
        parent = resource.parent.urn if resource.parent is not None else ""
        props = self.inputs_by_urn.get(resource.urn)
        if props is None:  # no resource validation came first: the outputs are all there is
            props = from_wire(resource.props)
        return PlatformResource(resource.resource_type, resource.name, resource.urn, parent, props)


def _description(check: Check, serves: list[str]) -> str:
    return f"{check.id}: {check.title}. Serves {', '.join(serves)}."


def _report(outcomes: list[Outcome], report_violation: ReportViolation) -> None:
    for outcome in outcomes:
        urn = outcome.target.location.urn
        for violation in outcome.violations:
            report_violation(f"{outcome.check.id}: {violation.message}. Fix: {outcome.check.remediation}", urn)


def _resource_validator(check: Check, verdict: Verdict) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = verdict.resource(args.resource_type, args.name, args.urn, args.props)
        if check.resource_types and args.resource_type not in check.resource_types:
            return
        target = Target("platform_resource", args.urn, resource, Location(urn=args.urn))
        _report(verdict.outcomes(check, target), report_violation)

    return validate


def _stack_validator(check: Check, verdict: Verdict) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = tuple(verdict.stack_resource(r) for r in args.resources)
        stack = resources[0].urn.split("::")[0].removeprefix("urn:pulumi:") if resources else ""
        graph = PlatformGraph(stack, resources)
        _report(verdict.outcomes(check, Target("platform", f"stack:{stack}", graph, Location())), report_violation)

    return validate


@cache
def _serves() -> dict[str, list[str]]:
    served: dict[str, list[str]] = {}
    for requirement in load_requirements():
        for check_id in requirement.checks:
            served.setdefault(check_id, []).append(requirement.id)
    return served


def policies(
    waivers: list[Waiver] | None = None, today: date | None = None
) -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """One CrossGuard policy per platform check, named after the check id and enforced as it is."""
    keep_wire_format()
    requirements = load_requirements()
    verdict = Verdict(requirements, load_waivers() if waivers is None else waivers, today)
    serves = _serves()
    built: list[ResourceValidationPolicy | StackValidationPolicy] = []
    for check in all_checks():
        if check.target_kind not in PLATFORM_KINDS:
            continue
        common: dict[str, Any] = {
            "name": check.id.lower(),
            "description": _description(check, serves.get(check.id, [])),
            "enforcement_level": EnforcementLevel.MANDATORY if check.mandatory else EnforcementLevel.ADVISORY,
            "severity": Severity(check.severity),
            "remediation_steps": check.remediation,
            "tags": serves.get(check.id, []),
            "display_name": check.title,
        }
        if check.target_kind == "platform_resource":
            built.append(ResourceValidationPolicy(validate=_resource_validator(check, verdict), **common))
        else:
            built.append(StackValidationPolicy(validate=_stack_validator(check, verdict), **common))
    return built
