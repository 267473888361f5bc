"""The Pexip configuration objects as Pulumi resources, each backed by a provider in providers.py."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from vardmote.platform.pexip.providers import (
    ConferencingNodeRegistrationProvider,
    ConfigurationObjectProvider,
    GlobalSettingsProvider,
)


class _ConfigurationObject(Resource):
    """A named object of one configuration resource; subclasses fix the resource name."""

    resource: str = ""
    uri: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        connection: pulumi.Input[dict[str, Any]],
        fields: dict[str, Any],
        secrets: dict[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "connection": connection,
            "resource": self.resource,
            "name": fields["name"],
            "fields": fields,
            "secrets": secrets or {},
            "uri": None,
        }
        super().__init__(ConfigurationObjectProvider(), name, props, opts)


class SystemLocation(_ConfigurationObject, module="pexip", name="SystemLocation"):
    resource = "system_location"


class IdentityProvider(_ConfigurationObject, module="pexip", name="IdentityProvider"):
    resource = "identity_provider"


class GatewayRoutingRule(_ConfigurationObject, module="pexip", name="GatewayRoutingRule"):
    resource = "gateway_routing_rule"


class SipProxy(_ConfigurationObject, module="pexip", name="SipProxy"):
    resource = "sip_proxy"


class GlobalSettings(Resource, module="pexip", name="GlobalSettings"):
    uri: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        connection: pulumi.Input[dict[str, Any]],
        fields: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"connection": connection, "fields": fields, "secrets": {}, "uri": None}
        super().__init__(GlobalSettingsProvider(), name, props, opts)


class ConferencingNodeRegistration(Resource, module="pexip", name="ConferencingNodeRegistration"):
    uri: pulumi.Output[str]
    sync_status: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        connection: pulumi.Input[dict[str, Any]],
        *,
        fields: dict[str, Any],
        secrets: dict[str, pulumi.Input[str]],
        bootstrap: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "connection": connection,
            "fields": fields,
            "secrets": secrets,
            "bootstrap": bootstrap,
            "uri": None,
            "sync_status": None,
            "bootstrap_sha256": None,
        }
        super().__init__(ConferencingNodeRegistrationProvider(), name, props, opts)


class TurnServer(_ConfigurationObject, module="pexip", name="TurnServer"):
    resource = "turn_server"


class DnsServer(_ConfigurationObject, module="pexip", name="DnsServer"):
    resource = "dns_server"


class NtpServer(_ConfigurationObject, module="pexip", name="NtpServer"):
    resource = "ntp_server"


class SyslogServer(_ConfigurationObject, module="pexip", name="SyslogServer"):
    resource = "syslog_server"
