"""Jinja filter `address_range`: a CIDR as `first-last`, the form coturn's peer-ip options take."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any


def address_range(cidr: str) -> str:
    network = ipaddress.ip_network(cidr, strict=True)
    return f"{network.network_address}-{network.broadcast_address}"


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"address_range": address_range}
