"""What the lab made, kept in `state.json` so `status` and `down` know it (written atomically)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from vardmote.core.file_writing import write_atomically
from vardmote.lab.hosts import LabHost


class LabState(BaseModel):
    ip_forward_before: str | None = None  # restored by `down`
    gateways: list[str] = []
    hosts: list[LabHost] = []

    def host(self, name: str) -> LabHost | None:
        return next((host for host in self.hosts if host.name == name), None)


def load_state(path: Path) -> LabState:
    if not path.exists():
        return LabState()
    return LabState.model_validate_json(path.read_text(encoding="utf-8"))


def save_state(path: Path, state: LabState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, state.model_dump_json(indent=2).encode(), 0o644)
