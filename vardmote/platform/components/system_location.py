"""A Pexip system location and the nodes in it: one kind of node per location, as Pexip requires."""

from __future__ import annotations

from typing import Literal

import pulumi

from vardmote.platform.components.conferencing_node import ConferencingNode, ProxyingEdgeNode
from vardmote.platform.components.context import TYPE_PREFIX, PlatformContext
from vardmote.platform.components.platform_settings import PlatformSettings
from vardmote.platform.components.turn_relay import TurnRelay
from vardmote.platform.pexip.resources import SystemLocation as PexipSystemLocation

LocationKind = Literal["transcoding", "edge"]
MTU = 1500


class SystemLocation(pulumi.ComponentResource):
    uri: pulumi.Output[str] | None
    nodes: list[ConferencingNode] | list[ProxyingEdgeNode]

    def __init__(
        self,
        context: PlatformContext,
        site: str,
        kind: LocationKind,
        *,
        transcoding: SystemLocation | None = None,
        overflow: SystemLocation | None = None,
        turn: TurnRelay | None = None,
        settings: PlatformSettings | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        location_name = f"{site.capitalize()} {kind}"
        facts = {"site": site, "kind": kind, "location_name": location_name}
        super().__init__(f"{TYPE_PREFIX}:SystemLocation", f"{site}-{kind}", facts, context.under_root(opts))
        # Set after registering: a component's inputs become attributes of the same names.
        self.location_name = location_name
        site_config = context.config.site(site)
        self.uri = None
        if context.pexip is not None:
            fields: dict[str, object] = {
                "name": self.location_name,
                "description": f"{kind} nodes at {site} (managed by vardmote)",
                "mtu": MTU,
            }
            if settings is not None:
                fields["dns_servers"] = settings.dns_servers
                fields["ntp_servers"] = settings.ntp_servers
                fields["syslog_servers"] = settings.syslog_servers
            if kind == "edge":
                # An edge location forwards media to its site's transcoding location, then to the overflow.
                assert transcoding is not None
                assert transcoding.uri is not None
                fields["transcoding_location"] = transcoding.uri
                if overflow is not None and overflow.uri is not None:
                    fields["overflow_location1"] = overflow.uri
                if turn is not None and turn.client_uris:
                    # What WebRTC participants are offered: the site's relay over UDP and over TLS.
                    fields["client_turn_servers"] = turn.client_uris
            elif turn is not None and turn.uri is not None:
                fields["turn_server"] = turn.uri
            self.uri = PexipSystemLocation(
                f"{site}-{kind}-location",
                connection=context.pexip.connection,
                fields=fields,
                opts=context.pexip.options(self),
            ).uri
        if kind == "transcoding":
            self.nodes = [
                ConferencingNode(
                    context, h.name, site_config.transcoding_nodes, self.uri, pulumi.ResourceOptions(parent=self)
                )
                for h in context.plan.of_role("transcoding", site)
            ]
        else:
            self.nodes = [
                ProxyingEdgeNode(context, h.name, site_config.edge_nodes, self.uri, pulumi.ResourceOptions(parent=self))
                for h in context.plan.of_role("edge", site)
            ]
        context.backend.keep_apart(f"{site}-{kind}-spread", site_config, [node.vm for node in self.nodes], parent=self)
        self.register_outputs({"name": self.location_name, "nodes": [node.address for node in self.nodes]})
