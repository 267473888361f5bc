"""VM-SRV-004: the servers offer TLS 1.2 and 1.3 only."""

import re
from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.platform_graph import walk

OUTDATED = re.compile(r"^(SSLv2|SSLv3|TLSv1|TLSv1\.0|TLSv1\.1|TLSv1_1|tlsv1|tlsv1_1)$", re.IGNORECASE)
PROTOCOL_NAME = re.compile(r"(tls|ssl)_?(protocols?|versions?|min_version|method)$", re.IGNORECASE)


class ModernTlsOnly(Check):
    id = "VM-SRV-004"
    title = "Servers offer only TLS 1.2 and TLS 1.3"
    severity = "high"
    remediation = "Set vardmote_tls_protocols (and any role's *_tls_protocols) to [TLSv1.2, TLSv1.3]."
    target_kind = "ansible_vars"

    def violations(self, target: Target) -> Iterable[Violation]:
        for path, value in walk(target.data):
            names = [p for p in path if isinstance(p, str)]
            if not names or not PROTOCOL_NAME.search(names[-1]):
                continue
            for word in str(value).replace(",", " ").split():
                if OUTDATED.match(word):
                    yield Violation(f"{'.'.join(map(str, path))} allows {word}", path)


CHECK = ModernTlsOnly()
