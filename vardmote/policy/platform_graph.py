"""The platform as checks see it: resources with type, name, URN, parent and input properties.

Both runners build the same objects: the offline runner from the mock-runtime recording of the real
program, the CrossGuard pack from the engine's policy arguments. Property names are the engine's
(camelCase for provider resources, as the program wrote them for components and dynamic resources).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ROOT_TYPE = "vardmote:platform:VideoPlatform"
GLOBAL_SETTINGS_TYPE = "pulumi-python:dynamic/pexip:GlobalSettings"
ROUTING_RULE_TYPE = "pulumi-python:dynamic/pexip:GatewayRoutingRule"
PORTAL_TYPE = "vardmote:platform:Portal"
NODE_TYPES = {
    "vardmote:platform:ConferencingNode": "transcoding",
    "vardmote:platform:ProxyingEdgeNode": "dmz",
    "vardmote:platform:ManagementNode": "management",
}
HOST_TYPES = (*NODE_TYPES, "vardmote:platform:TurnRelay", PORTAL_TYPE, "vardmote:platform:Gateway")
VM_TYPES = ("vsphere:index/virtualMachine:VirtualMachine", "proxmoxve:index/vmLegacy:VmLegacy")
SECRET = "[secret]"
UNKNOWN = "[unknown]"


@dataclass(frozen=True)
class PlatformResource:
    type: str
    name: str
    urn: str
    parent: str
    props: dict[str, Any]


@dataclass(frozen=True)
class PlatformGraph:
    stack: str
    resources: tuple[PlatformResource, ...]

    def of_type(self, *types: str) -> list[PlatformResource]:
        return [r for r in self.resources if r.type in types]

    def root(self) -> PlatformResource | None:
        roots = self.of_type(ROOT_TYPE)
        return roots[0] if len(roots) == 1 else None


def walk(value: Any, path: tuple[str | int, ...] = ()) -> Iterable[tuple[tuple[str | int, ...], Any]]:
    """Every leaf of a nested value with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))
    else:
        yield path, value
