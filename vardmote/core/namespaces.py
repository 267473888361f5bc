"""Commands run inside a Linux network namespace, as the lab's hosts, its home and its operator are."""

from __future__ import annotations

import sys


def python_module_in(netns: str, module: str, *arguments: str) -> list[str]:
    """The command that runs `python -m MODULE ARGUMENTS` with this very Python (the controller's
    virtualenv) inside the network namespace `netns`. `ip netns exec` also mounts the files of
    /etc/netns/NETNS/ over /etc, so the namespace resolves names with its own resolv.conf."""
    return ["ip", "netns", "exec", netns, sys.executable, "-m", module, *arguments]
