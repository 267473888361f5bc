"""JUnit XML, for CI systems: a test suite per target kind, a test case per check and target."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from vardmote.policy.engine import Outcome, Report


def render(report: Report) -> str:
    suites: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in report.outcomes:
        suites[outcome.target.kind].append(outcome)
    expired = report.expired_waivers
    root = ET.Element(
        "testsuites",
        name="vardmote policy check",
        tests=str(len(report.outcomes) + len(expired)),
        failures=str(sum(o.status == "fail" for o in report.outcomes) + len(expired)),
        errors=str(sum(o.status == "error" for o in report.outcomes)),
        skipped=str(sum(o.status == "waived" for o in report.outcomes)),
        time=f"{report.seconds:.3f}",
    )
    for kind, outcomes in sorted(suites.items()):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=kind,
            tests=str(len(outcomes)),
            failures=str(sum(o.status == "fail" for o in outcomes)),
            errors=str(sum(o.status == "error" for o in outcomes)),
            skipped=str(sum(o.status == "waived" for o in outcomes)),
        )
        for outcome in outcomes:
            case = ET.SubElement(
                suite, "testcase", classname=outcome.check.id, name=f"{outcome.check.title} [{outcome.target.id}]"
            )
            details = "\n".join(f"{location}: {v.message}" for v, location in outcome.locations())
            if outcome.status == "fail":
                failure = ET.SubElement(
                    case, "failure", message=outcome.violations[0].message, type=outcome.check.severity
                )
                failure.text = f"{details}\nFix: {outcome.check.remediation}"
            elif outcome.status == "error":
                error = ET.SubElement(case, "error", message=outcome.violations[0].message)
                error.text = details
            elif outcome.status == "waived" and outcome.waiver is not None:
                ET.SubElement(
                    case,
                    "skipped",
                    message=f"waived until {outcome.waiver.expires.isoformat()}: {outcome.waiver.justification}",
                )
    if expired:  # a lapsed acceptance fails like the finding it no longer covers
        suite = ET.SubElement(root, "testsuite", name="waivers", tests=str(len(expired)), failures=str(len(expired)))
        for waiver in expired:
            case = ET.SubElement(suite, "testcase", classname=waiver.check, name=f"waiver [{waiver.target}]")
            failure = ET.SubElement(
                case, "failure", message=f"the waiver expired on {waiver.expires.isoformat()}", type="expired-waiver"
            )
            failure.text = f"Approved by {waiver.approved_by}: {waiver.justification}. Renew or remove it."
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
