"""Platform-wide Pexip settings: `global` security settings, the identity providers and their groups,
and the DNS, NTP and syslog servers every system location uses."""

from __future__ import annotations

import uuid

import pulumi

from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext, resource_name
from vardmote.platform.config import IdentityProvider as IdentityProviderConfig
from vardmote.platform.pexip.resources import (
    DnsServer,
    GlobalSettings,
    IdentityProvider,
    IdentityProviderGroup,
    NtpServer,
    SyslogServer,
)

SYSLOG_TLS_PORT = 6514
# The namespace of the identity providers' UUIDs (the API requires one): derived from the name, so
# the same provider has the same UUID on every run and in every stack.
IDP_UUID_NAMESPACE = uuid.UUID("5f0b6a63-5a43-4b57-9b7e-3c2d1f7c9a10")


def idp_uuid(idp: IdentityProviderConfig) -> str:
    return str(uuid.uuid5(IDP_UUID_NAMESPACE, idp.name))


class PlatformSettings(pulumi.ComponentResource):
    dns_servers: list[pulumi.Output[str]]
    ntp_servers: list[pulumi.Output[str]]
    syslog_servers: list[pulumi.Output[str]]
    identity_provider_groups: dict[str, pulumi.Output[str]]

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:PlatformSettings", "platform-settings", None, context.under_root(opts))
        assert context.pexip is not None  # only built where the stack configures Pexip
        pexip = context.pexip
        connection = pexip.connection
        config = context.config
        security = config.security
        child = pexip.options(self)
        GlobalSettings(
            "global",
            connection=connection,
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
            opts=child,
        )
        # Participants sign in through an identity provider's group: BankID for patients and
        # relatives, SITHS for staff. The portal attaches the groups to each room it books.
        acs_base = f"https://{config.portal.public_name}/samlconsumer"
        self.identity_provider_groups = {}
        for idp in config.identity_providers:
            idp_uuid_value = idp_uuid(idp)
            fields: dict[str, object] = {
                "name": idp.name,
                "description": f"{idp.method} via {idp.kind} broker, LoA{idp.level_of_assurance}",
                "idp_type": idp.kind,
                "uuid": idp_uuid_value,
                "sso_url": idp.issuer_url,
                "assertion_consumer_service_url": f"{acs_base}/{idp_uuid_value}",
            }
            if idp.kind == "oidc":
                fields["oidc_client_id"] = idp.client_id
            else:
                fields["service_entity_id"] = idp.client_id
                fields["idp_entity_id"] = idp.issuer_url
            provider = IdentityProvider(resource_name("idp", idp.name), connection, fields, opts=child)
            group = IdentityProviderGroup(
                resource_name("idp-group", idp.name),
                connection,
                {
                    "name": f"{idp.name} sign-in",
                    "description": f"Participants who identify with {idp.method}",
                    "identity_provider": [provider.uri],
                },
                opts=child,
            )
            self.identity_provider_groups[idp.name] = group.uri
        self.dns_servers, self.ntp_servers = (
            [
                kind(
                    resource_name(prefix, address),
                    connection,
                    {"address": address, "description": f"The region's {what} (managed by vardmote)"},
                    opts=child,
                ).uri
                for address in addresses
            ]
            for kind, prefix, what, addresses in (
                (DnsServer, "dns", "resolver", config.dns_servers),
                (NtpServer, "ntp", "time server", config.ntp_servers),
            )
        )
        # The audit log (who configured what), the support log (which participant joined which
        # conference) and the web log leave every node for the region's log service: the access
        # logging HSLF-FS 2016:40 asks for is kept there, not on the nodes.
        self.syslog_servers = [
            SyslogServer(
                resource_name("syslog", f"{address}-{SYSLOG_TLS_PORT}-tls"),
                connection,
                {
                    "address": address,
                    "port": SYSLOG_TLS_PORT,
                    "transport": "tls",
                    "proto_format": "rfc5424",
                    "audit_log": True,
                    "support_log": True,
                    "web_log": True,
                    "description": "The region's log service (managed by vardmote)",
                },
                opts=child,
            ).uri
            for address in config.syslog_servers
        ]
        self.register_outputs({})
