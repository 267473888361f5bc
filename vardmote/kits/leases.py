"""Who holds a kit's enrollment lease, and whether that run is still alive.

Apart from the registry, so that `vardmote kit …` can name its run before Ansible starts without
loading the registry's database stack (SQLAlchemy: a fifth of a second) into the command's own process.
"""

from __future__ import annotations

import os
import socket
import uuid


def run_owner() -> str:
    """Who holds a kit's enrollment lease: this host, this process, this run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str) -> bool:
    host, pid, _ = [*owner.split(":"), "", "", ""][:3]
    if host != socket.gethostname():
        return True  # another host's run: only its lease's expiry can end it
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True
