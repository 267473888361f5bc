"""SARIF 2.1.0, for code-scanning dashboards: one rule per check, one result per violation, waivers as
suppressions."""

from __future__ import annotations

from typing import Any

from vardmote import __version__
from vardmote.policy.catalogue import Waiver
from vardmote.policy.engine import Outcome, Report, fingerprint
from vardmote.policy.model import Check, Location
from vardmote.policy.reporters.encoding import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub-style security-severity scores: critical ≥ 9, high 7–8.9, medium 4–6.9, low < 4.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _rule(check: Check, requirements: dict[str, list[str]]) -> dict[str, Any]:
    serves = requirements.get(check.id, [])
    return {
        "id": check.id,
        "name": type(check).__name__,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": f"{check.title}. Serves: {', '.join(serves) or 'none'}."},
        "help": {
            "text": check.remediation,
            "markdown": f"**Fix:** {check.remediation}\n\n**Requirements:** {', '.join(serves) or 'none'}",
        },
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[check.severity],
            "tags": ["security", check.target_kind, *serves],
            "mandatory": check.mandatory,
        },
    }


def _location(location: Location) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if location.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": location.file}}
        if location.line:
            physical["region"] = {"startLine": location.line}
        result["physicalLocation"] = physical
    if location.urn:
        result["logicalLocations"] = [{"fullyQualifiedName": location.urn, "kind": "resource"}]
    return result


def _results(report: Report, outcome: Outcome, rule_index: int) -> list[dict[str, Any]]:
    results = []
    for (violation, location), mark in zip(outcome.locations(), outcome.fingerprints(), strict=True):
        result: dict[str, Any] = {
            "ruleId": outcome.check.id,
            "ruleIndex": rule_index,
            "level": "error" if outcome.status == "error" else LEVELS[outcome.check.severity],
            "message": {"text": f"{outcome.target.id}: {violation.message}"},
            "locations": [_location(location)] if location.file or location.urn else [],
            # Check, target and message: the same finding keeps its fingerprint when lines move.
            "partialFingerprints": {"vardmoteFinding/v1": mark},
        }
        if report.baseline:
            result["baselineState"] = "unchanged" if mark in report.baseline else "new"
        if outcome.waiver is not None:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": (
                        f"{outcome.waiver.justification} (approved by {outcome.waiver.approved_by}, "
                        f"expires {outcome.waiver.expires.isoformat()})"
                    ),
                }
            ]
        results.append(result)
    return results


def _expired_waiver(report: Report, waiver: Waiver, index: dict[str, int]) -> dict[str, Any]:
    """An expired waiver is a failure of its own: the acceptance it recorded has lapsed."""
    return {
        "ruleId": waiver.check,
        "ruleIndex": index[waiver.check],
        "level": "error",
        "kind": "fail",
        "message": {
            "text": f"the waiver of {waiver.check} for {waiver.target} expired on {waiver.expires.isoformat()} "
            f"(approved by {waiver.approved_by}); renew or remove it in policies/waivers.yaml"
        },
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "policies/waivers.yaml"}}}],
        "partialFingerprints": {"vardmoteFinding/v1": fingerprint(waiver.check, waiver.target, "expired waiver")},
    }


def document(report: Report) -> dict[str, Any]:
    rules = [_rule(check, report.serves) for check in report.checks]
    index = {check.id: position for position, check in enumerate(report.checks)}
    results = [r for o in report.outcomes if o.status != "pass" for r in _results(report, o, index[o.check.id])]
    results += [_expired_waiver(report, waiver, index) for waiver in report.expired_waivers if waiver.check in index]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "properties": {"provenance": report.provenance.as_dict() if report.provenance else None},
                "tool": {
                    "driver": {
                        "name": "vardmote-policy",
                        "version": __version__,
                        "informationUri": "https://video.rvn.example/vardmote",
                        "rules": rules,
                    }
                },
                "results": results,
                "artifacts": [{"location": {"uri": source}} for source in report.sources],
                "invocations": [
                    {
                        "executionSuccessful": not any(o.status == "error" for o in report.outcomes),
                        "properties": {
                            "passed": not report.failed,
                            "stacks": {s: "failed" if f else "passed" for s, f in report.stack_verdicts().items()},
                            "expiredWaivers": [f"{w.check} {w.target}" for w in report.expired_waivers],
                            "failOn": report.fail_on,
                        },
                    }
                ],
            }
        ],
    }


def render(report: Report) -> str:
    return dumps(document(report))
