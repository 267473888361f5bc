"""The reviewer's report: summary, traceability matrix, findings with their fixes, waivers."""

from __future__ import annotations

from collections import defaultdict

from vardmote.policy.engine import Outcome, Report

ICONS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "waived": "⚠️ waived",
    "error": "❌ error",
    "out of scope": "— not in this run's scope",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _provenance(report: Report) -> list[str]:
    found = report.provenance
    if found is None:
        return []
    lines = ["## Provenance", "", f"- Commit: `{found.commit}`", f"- Tool: vardmote {found.tool_version}"]
    lines.append(
        f"- Fail on: {report.fail_on} and above"
        + (" (findings in the baseline do not fail)" if report.baseline else "")
    )
    lines.append("- Read: " + ", ".join(f"`{source}`" for source in found.sources))
    lines += [f"- `{file}` sha256 `{digest}`" for file, digest in found.policy_files.items()]
    lines += [f"- Setting `{name}`: {_cell(str(value))}" for name, value in found.settings.items()]
    return [*lines, ""]


def render(report: Report) -> str:
    lines = ["# Security review: vardmote policy check", ""]
    verdict = "**Result: FAILED**" if report.failed else "**Result: passed**"
    lines += [
        verdict,
        "",
        f"Checked {report.targets} targets with {len(report.checks)} checks on {report.today.isoformat()}: "
        f"{report.counts.get('pass', 0)} passed, {report.counts.get('fail', 0)} failed, "
        f"{report.counts.get('waived', 0)} waived, {report.counts.get('error', 0)} could not be evaluated.",
        "",
        "A check fails closed: a target that cannot be read, a value that is unknown, or a check that found "
        "nothing to look at where it should have, is a failure.",
        "",
        "## Verdict per stack",
        "",
        "| Stack | Verdict |",
        "|---|---|",
        *[
            f"| {stack} | {'❌ FAILED' if failed else '✅ passed'} |"
            for stack, failed in report.stack_verdicts().items()
        ],
        "",
        *_provenance(report),
        "## Traceability",
        "",
        "| Requirement | Source | Checks | Status |",
        "|---|---|---|---|",
    ]
    titles = {check.id: check.title for check in report.checks}
    for requirement in report.requirements:
        source = f"{requirement.source.document} {requirement.source.section}"
        if requirement.manual:
            lines.append(f"| {requirement.id} | {_cell(source)} | — | 📝 manual: {_cell(requirement.manual)} |")
            continue
        checks = "<br>".join(f"{c} {_cell(titles.get(c, ''))}" for c in requirement.checks)
        statuses = "<br>".join(f"{c}: {ICONS[report.status_of_check(c)]}" for c in requirement.checks)
        lines.append(f"| {requirement.id} | {_cell(source)} | {checks} | {statuses} |")
    lines += ["", "## Findings", ""]
    findings = [o for o in report.outcomes if o.status != "pass"]
    if not findings:
        lines.append("No findings.")
    by_check: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in findings:
        by_check[outcome.check.id].append(outcome)
    for check_id, outcomes in sorted(by_check.items()):
        check = outcomes[0].check
        mandatory = "mandatory" if check.mandatory else "advisory"
        serves = ", ".join(report.requirements_of(check_id)) or "no requirement"
        lines += [
            f"### {check_id}: {check.title}",
            "",
            f"Severity **{check.severity}**, {mandatory}. Serves {serves}.",
            "",
        ]
        for outcome in outcomes:
            for violation, location in outcome.locations():
                note = f" — waived: {outcome.waiver.justification}" if outcome.waiver else ""
                note += " — in the baseline" if report.in_baseline(outcome) else ""
                lines.append(f"- `{location or outcome.target.id}` {ICONS[outcome.status]}: {violation.message}{note}")
        lines += ["", f"**Fix:** {check.remediation}", ""]
    lines += ["## Waivers in force", ""]
    if report.waivers_in_force:
        lines += ["| Check | Target | Justification | Approved by | Expires |", "|---|---|---|---|---|"]
        lines += [
            f"| {w.check} | `{_cell(w.target)}` | {_cell(w.justification)} | {_cell(w.approved_by)} | {w.expires} |"
            for w in report.waivers_in_force
        ]
    else:
        lines.append("None.")
    if report.expired_waivers:
        lines += ["", "## Expired waivers (these fail the run)", ""]
        lines += [
            f"- {w.check} `{w.target}` expired {w.expires} (approved by {w.approved_by})"
            for w in report.expired_waivers
        ]
    return "\n".join(lines) + "\n"
