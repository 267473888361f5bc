"""Platform-wide Pexip settings: `global` security settings, identity providers, and the DNS, NTP and
syslog servers every system location uses."""

from __future__ import annotations

import pulumi

from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext
from vardmote.platform.pexip.resources import DnsServer, GlobalSettings, IdentityProvider, NtpServer, SyslogServer


class PlatformSettings(pulumi.ComponentResource):
    dns_servers: list[pulumi.Output[str]]
    ntp_servers: list[pulumi.Output[str]]
    syslog_servers: list[pulumi.Output[str]]

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:PlatformSettings", "platform-settings", None, context.under_root(opts))
        assert context.pexip is not None  # only built where the stack configures Pexip
        security = context.config.security
        GlobalSettings(
            "global",
            connection=context.pexip.connection,
            fields={
                "crypto_mode": security.crypto_mode,
                "enable_h323": security.enable_h323,
                "enable_sip_udp": security.enable_sip_udp,
                "min_pin_length": security.min_pin_length,
                "enable_analytics": security.enable_analytics,
                "error_reporting_enabled": security.error_reporting_enabled,
                "logs_max_age": security.logs_max_age,
                "waiting_for_chair_timeout": security.waiting_for_chair_timeout,
                "bdpm_pin_checks_enabled": security.bdpm_pin_checks_enabled,
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        for idp in context.config.identity_providers:
            IdentityProvider(
                f"idp-{idp.method}",
                connection=context.pexip.connection,
                fields={
                    "name": idp.name,
                    "description": f"{idp.method} via {idp.kind} broker, LoA{idp.level_of_assurance}",
                    "idp_type": idp.kind,
                    "sso_url": idp.issuer_url,
                    "oidc_client_id" if idp.kind == "oidc" else "service_entity_id": idp.client_id,
                },
                opts=pulumi.ResourceOptions(parent=self),
            )
        child = pulumi.ResourceOptions(parent=self)
        connection = context.pexip.connection
        config = context.config
        self.dns_servers = [
            DnsServer(f"dns-{i}", connection, {"name": f"DNS {a}", "address": a}, opts=child).uri
            for i, a in enumerate(config.dns_servers, 1)
        ]
        self.ntp_servers = [
            NtpServer(f"ntp-{i}", connection, {"name": f"NTP {a}", "address": a}, opts=child).uri
            for i, a in enumerate(config.ntp_servers, 1)
        ]
        self.syslog_servers = [
            SyslogServer(
                f"syslog-{i}",
                connection,
                {"name": f"Syslog {a}", "address": a, "port": 6514, "transport": "tls"},
                opts=child,
            ).uri
            for i, a in enumerate(config.syslog_servers, 1)
        ]
        self.register_outputs({})
