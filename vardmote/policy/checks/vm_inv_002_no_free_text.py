"""VM-INV-002: invitations are filled only with the meeting's time, link and support number."""

import re
from collections.abc import Iterable

from vardmote.policy.invitation_text import text_fields
from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.settings import policy_settings

PLACEHOLDER = re.compile(r"{{\s*([^}]*?)\s*}}")
# Other template syntaxes a portal or mail system may fill in: {name}, ${name}, %(name)s, [[name]], <<name>>.
OTHER_PLACEHOLDER = re.compile(
    r"(?<!{){\s*([A-Za-z_][\w.]*)\s*}(?!})|\$\{\s*([^}]+?)\s*}|%\(([^)]+)\)s|\[\[\s*([^\]]+?)\s*]]|<<\s*([^>]+?)\s*>>"
)


class NoPatientDataFields(Check):
    id = "VM-INV-002"
    title = "Invitations have no patient name or free-text fields, only the meeting's time, link and help"
    severity = "high"
    remediation = (
        "Remove the placeholder; an invitation may only use the placeholders listed in "
        "policies/settings.yaml (invitation.allowed_placeholders)."
    )
    target_kind = "invitation"

    def violations(self, target: Target) -> Iterable[Violation]:
        allowed = set(policy_settings().invitation.allowed_placeholders)
        for field in ("subject", "body"):
            if not isinstance(target.data.get(field), str):
                yield Violation(f"{field} is missing", (field,))
        for field, text in text_fields(target.data):
            for name in PLACEHOLDER.findall(text):
                if name not in allowed:
                    yield Violation(f"{field} fills in {{{{ {name} }}}}, which is not an allowed field", (field,))
            for match in OTHER_PLACEHOLDER.finditer(PLACEHOLDER.sub("", text)):
                yield Violation(
                    f"{field} has the placeholder {match.group(0)!r}: only {{{{ name }}}} is filled in", (field,)
                )


CHECK = NoPatientDataFields()
