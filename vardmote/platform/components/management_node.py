"""The Pexip Management Node: configuration UI and REST API for the whole platform."""

from __future__ import annotations

import json

import pulumi

from vardmote.platform.address_plan import host_name
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext


class ManagementNode(pulumi.ComponentResource):
    address: str
    url: str
    node_id: pulumi.Output[str]

    def __init__(self, context: PlatformContext, opts: pulumi.ResourceOptions | None = None) -> None:
        config = context.config.management_node
        name = host_name(config.site, "management", 1)
        super().__init__(f"{TYPE_PREFIX}:ManagementNode", name, context.host_facts(name), context.under_root(opts))
        vm = context.vm(
            name,
            image="pexip-management",
            vcpu=config.vcpu,
            memory_mb=config.memory_mb,
            disk_gb=config.disk_gb,
            parent=self,
        )
        self.address = vm.address
        self.url = f"https://{context.fqdn(name)}/"
        # What the wait for its API is tied to: a new VM (a new id) is waited for again.
        self.node_id = pulumi.Output.from_input(vm.identity(name))
        self.register_outputs({"address": self.address, "url": self.url})


def installer_config(
    context: PlatformContext, web_password: pulumi.Input[str], console_password: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The Management Node's installer configuration, in the JSON form Pexip's own Terraform provider
    renders for it (its `infinity_manager_config` data source): what the installer asks on first
    boot. A secret: it holds the web administrator's and the console administrator's passwords."""
    config = context.config
    name = host_name(config.management_node.site, "management", 1)
    host = context.plan.host(name)
    api = config.pexip
    assert api is not None

    def render(passwords: list[str]) -> str:
        web, console = passwords
        return json.dumps(
            {
                "management_node_config": {
                    "hostname": name,
                    "domain": config.domain,
                    "ip": host.address,
                    "mask": host.netmask,
                    "gw": host.gateway,
                    "dns": config.dns_servers[0],
                    "ntp": config.ntp_servers[0],
                    "user": api.username,
                    "pass": web,
                    "admin_password": console,
                    "error_reports": config.security.error_reporting_enabled,
                    "enable_analytics": config.security.enable_analytics,
                    "contact_email_address": "",
                }
            }
        )

    return pulumi.Output.secret(pulumi.Output.all(web_password, console_password).apply(render))
