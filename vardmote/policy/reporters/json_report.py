"""The report as JSON, for scripts and dashboards."""

from __future__ import annotations

from typing import Any

from vardmote.policy.catalogue import Waiver
from vardmote.policy.engine import Report
from vardmote.policy.reporters.encoding import dumps


def waiver_json(waiver: Waiver) -> dict[str, Any]:
    return {**waiver.model_dump(), "expires": waiver.expires.isoformat()}


def document(report: Report) -> dict[str, Any]:
    return {
        "passed": not report.failed,
        "provenance": report.provenance.as_dict() if report.provenance else None,
        "stacks": {stack: "failed" if failed else "passed" for stack, failed in report.stack_verdicts().items()},
        "summary": {
            "targets": report.targets,
            "checks": len(report.checks),
            **{status: report.counts.get(status, 0) for status in ("pass", "fail", "waived", "error")},
        },
        "findings": [
            {
                "check": o.check.id,
                "title": o.check.title,
                "severity": o.check.severity,
                "requirements": report.requirements_of(o.check.id),
                "mandatory": o.check.mandatory,
                "status": o.status,
                "target": o.target.id,
                "target_kind": o.target.kind,
                "remediation": o.check.remediation,
                "violations": [
                    {"message": v.message, "location": str(location), "fingerprint": fp}
                    for (v, location), fp in zip(o.locations(), o.fingerprints(), strict=True)
                ],
                "in_baseline": report.in_baseline(o),
                "waiver": waiver_json(o.waiver) if o.waiver else None,
            }
            for o in report.outcomes
            if o.status != "pass"
        ],
        "waivers_in_force": [waiver_json(w) for w in report.waivers_in_force],
        "expired_waivers": [waiver_json(w) for w in report.expired_waivers],
        "requirements": [
            {
                "id": r.id,
                "source": r.source.model_dump(),
                "checks": {check_id: report.status_of_check(check_id) for check_id in r.checks},
                "manual": r.manual,
            }
            for r in report.requirements
        ],
    }


def render(report: Report) -> str:
    return dumps(document(report))
