"""The machine's process table, read from /proc: what a run started, and whether it still runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Process:
    pid: int
    state: str  # Z: ended, not yet reaped by its parent
    parent: int
    group: int
    command: bytes  # its arguments, each ended by a NUL

    @property
    def ended(self) -> bool:
        return self.state == "Z"

    @property
    def command_line(self) -> str:
        """The arguments joined by spaces, as `ps` shows them."""
        return self.command.replace(b"\0", b" ").decode(errors="replace")


def process_table() -> list[Process]:
    """Every process on the machine; one that ends while it is read is left out."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
            found.append(Process(int(entry.name), fields[0], int(fields[1]), int(fields[2]), command))
        except (OSError, IndexError, ValueError):
            continue
    return found


def descendants(root: int, table: list[Process] | None = None) -> list[int]:
    """Every process below `root`, however it detached its session or group."""
    table = process_table() if table is None else table
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [process.pid for process in table if process.parent == parent]
        found += children
        frontier += children
    return found
