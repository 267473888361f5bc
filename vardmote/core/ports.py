"""Whether a service answers: a TCP connection to its port, accepted or not."""

from __future__ import annotations

import socket


def tcp_port_answers(address: str, port: int, timeout_s: float = 0.5) -> bool:
    """Whether a TCP connection to address:port is accepted within `timeout_s` (it is closed at once)."""
    try:
        with socket.create_connection((address, port), timeout=timeout_s):
            return True
    except OSError:
        return False
