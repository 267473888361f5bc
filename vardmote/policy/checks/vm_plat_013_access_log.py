"""VM-PLAT-013: the access records (who joined which meeting, when) leave every node for the region's
log service over TLS, where they are kept at least five years (HSLF-FS 2016:40 4 kap. 9 §)."""

from collections.abc import Iterable

from vardmote.policy.model import Check, Target, Violation
from vardmote.policy.settings import policy_settings

SYSLOG_TYPE = "pulumi-python:dynamic/pexip:SyslogServer"


class AccessLogToRegionLogService(Check):
    id = "VM-PLAT-013"
    title = "Access records go to the region's log service over TLS, which keeps them at least five years"
    severity = "high"
    remediation = (
        "List the region's log service in vardmote:platform.syslog_servers (it is sent over TLS on 6514); "
        "the log service keeps access logs at least access_log_retention_days (policies/settings.yaml)."
    )
    target_kind = "platform"
    config_section = ("syslog_servers",)

    def violations(self, target: Target) -> Iterable[Violation]:
        root = target.data.root()
        environment = root.props.get("environment") if root else None
        if environment not in policy_settings().platform_objects.managed_environments:
            return  # no patient meetings (the lab): no access log of record
        servers = target.data.of_type(SYSLOG_TYPE)
        if not servers:
            yield Violation("no syslog server receives the access records (vardmote:platform.syslog_servers is empty)")
        for server in servers:
            fields = server.props.get("fields") or {}
            if fields.get("transport") != "tls":
                yield Violation(
                    f"syslog server {fields.get('address')!r} is reached over {fields.get('transport')!r}, must be tls"
                )


CHECK = AccessLogToRegionLogService()
