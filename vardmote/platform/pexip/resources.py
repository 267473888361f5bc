"""The Pexip configuration objects as Pulumi resources, each backed by a provider in providers.py.

Each class names its Management API resource and the fields that identify an object of it; the
components name each Pulumi resource after those fields, so the Pulumi identity of an object is
what identifies it in the API (providers.py says why).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from vardmote.platform.pexip.providers import (
    ConferencingNodeRegistrationProvider,
    ConfigurationObjectProvider,
    GlobalSettingsProvider,
    ManagementApiReadyProvider,
)

IMPORT_CONFIG_KEY = "import"
# The Pexip resources this run of the program declared, so that an import naming none of them is an
# error rather than nothing (the program clears it at its start: see program.build_platform).
DECLARED: set[str] = set()


def requested_imports() -> dict[str, str]:
    """`vardmote:import`: resource names → the URIs of the existing objects they take over (runbook §7)."""
    wanted = pulumi.Config("vardmote").get_object(IMPORT_CONFIG_KEY) or {}
    return {str(name): str(uri) for name, uri in wanted.items()} if isinstance(wanted, dict) else {}


def with_import(name: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions | None:
    """`opts`, plus Pulumi's `import_` option where the stack asks this resource to take over an object
    that already exists."""
    DECLARED.add(name)
    uri = requested_imports().get(name)
    if not uri:
        return opts
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(import_=str(uri)))


class _ConfigurationObject(Resource):
    """An object of one configuration resource; subclasses fix the resource and its identity."""

    resource: ClassVar[str] = ""
    identity: ClassVar[tuple[str, ...]] = ("name",)
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
            "identity": list(self.identity),
            "fields": fields,
            "secrets": secrets or {},
            "uri": None,
        }
        super().__init__(ConfigurationObjectProvider(), name, props, with_import(name, opts))


class Licence(_ConfigurationObject, module="pexip", name="Licence"):
    """The platform's licence, activated from its entitlement key (a secret)."""

    resource = "licence"
    identity = ("entitlement_id",)


class SystemLocation(_ConfigurationObject, module="pexip", name="SystemLocation"):
    resource = "system_location"


class IdentityProvider(_ConfigurationObject, module="pexip", name="IdentityProvider"):
    resource = "identity_provider"


class IdentityProviderGroup(_ConfigurationObject, module="pexip", name="IdentityProviderGroup"):
    resource = "identity_provider_group"


class GatewayRoutingRule(_ConfigurationObject, module="pexip", name="GatewayRoutingRule"):
    resource = "gateway_routing_rule"


class SipProxy(_ConfigurationObject, module="pexip", name="SipProxy"):
    resource = "sip_proxy"


class TurnServer(_ConfigurationObject, module="pexip", name="TurnServer"):
    resource = "turn_server"


class DnsServer(_ConfigurationObject, module="pexip", name="DnsServer"):
    resource = "dns_server"
    identity = ("address",)


class NtpServer(_ConfigurationObject, module="pexip", name="NtpServer"):
    resource = "ntp_server"
    identity = ("address",)


class SyslogServer(_ConfigurationObject, module="pexip", name="SyslogServer"):
    resource = "syslog_server"
    identity = ("address", "port", "transport")


class Conference(_ConfigurationObject, module="pexip", name="Conference"):
    """A virtual meeting room (VMR)."""

    resource = "conference"


class ConferenceAlias(_ConfigurationObject, module="pexip", name="ConferenceAlias"):
    """An alias a room is dialled by: a SIP URI, a phone number, the web client's name."""

    resource = "conference_alias"
    identity = ("alias",)


class GlobalSettings(Resource, module="pexip", name="GlobalSettings"):
    uri: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        connection: pulumi.Input[dict[str, Any]],
        fields: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"connection": connection, "resource": "global", "fields": fields, "secrets": {}, "uri": None}
        super().__init__(GlobalSettingsProvider(), name, props, opts)


class ManagementApiReady(Resource, module="pexip", name="ManagementApiReady"):
    """Done once the Management Node's API answers; every Pexip object depends on it."""

    def __init__(
        self,
        name: str,
        connection: pulumi.Input[dict[str, Any]],
        *,
        node: pulumi.Input[str],
        timeout_s: float,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"connection": connection, "node": node, "timeout_s": timeout_s}
        super().__init__(ManagementApiReadyProvider(), name, props, opts)


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
            "resource": "worker_vm",
            "identity": ["name"],
            "fields": fields,
            "secrets": secrets,
            "bootstrap": bootstrap,
            "uri": None,
            "sync_status": None,
            "bootstrap_sha256": None,
        }
        super().__init__(ConferencingNodeRegistrationProvider(), name, props, with_import(name, opts))
