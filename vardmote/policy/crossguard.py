"""The platform checks as a Pulumi CrossGuard policy pack: the same check objects, a second runner.

`policies/__main__.py` hands these policies to `PolicyPack`, which serves them to the engine during
`pulumi preview --policy-pack policies`. Building them here, apart from `PolicyPack` (whose
constructor starts a server and blocks), keeps them importable and testable.

In the engine, secret values arrive wrapped and unknown values (known only after deployment) are
absent; both are read as the offline runner reads `[secret]` and `[unknown]`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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

from vardmote.policy.catalogue import all_checks, load_requirements, requirements_by_check
from vardmote.policy.model import Check, Location, Target
from vardmote.policy.platform_graph import SECRET, PlatformGraph, PlatformResource

PLATFORM_KINDS = ("platform_resource", "platform")


def _plain(value: Any) -> Any:
    """Engine values as the checks expect them: secrets as [secret], nested values as dicts and lists."""
    if type(value).__name__ == "Secret":
        return SECRET
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _resource(resource_type: str, name: str, urn: str, props: Mapping[str, Any], parent: str = "") -> PlatformResource:
    return PlatformResource(type=resource_type, name=name, urn=urn, parent=parent, props=_plain(props))


def _description(check: Check, serves: list[str]) -> str:
    return f"{check.id}: {check.title}. Serves {', '.join(serves)}."


def _report(check: Check, target: Target, report_violation: ReportViolation) -> None:
    for violation in check.violations(target):
        report_violation(f"{check.id}: {violation.message}. Fix: {check.remediation}", target.location.urn)


def _resource_validator(check: Check) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if check.resource_types and args.resource_type not in check.resource_types:
            return
        resource = _resource(args.resource_type, args.name, args.urn, args.props)
        _report(check, Target("platform_resource", args.urn, resource, Location(urn=args.urn)), report_violation)

    return validate


def _stack_validator(check: Check) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = tuple(_policy_resource(r) for r in args.resources)
        stack = resources[0].urn.split("::")[0].removeprefix("urn:pulumi:") if resources else ""
        graph = PlatformGraph(stack, resources)
        _report(check, Target("platform", f"stack:{stack}", graph, Location()), report_violation)

    return validate


def _policy_resource(resource: PolicyResource) -> PlatformResource:
    parent = resource.parent.urn if resource.parent is not None else ""
    return _resource(resource.resource_type, resource.name, resource.urn, resource.props, parent)


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """One CrossGuard policy per platform check, named after the check id and enforced as it is."""
    serves = requirements_by_check(load_requirements())
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
            built.append(ResourceValidationPolicy(validate=_resource_validator(check), **common))
        else:
            built.append(StackValidationPolicy(validate=_stack_validator(check), **common))
    return built
