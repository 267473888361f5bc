"""What a report was made from, so that a reviewer who signs it knows what they signed: the commit, the
tool's version, the stacks and files read, and the settings in force."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vardmote import __version__
from vardmote.core.problems import display_path
from vardmote.policy.catalogue import REQUIREMENTS_FILE, waivers_file
from vardmote.policy.settings import SETTINGS_FILE, policy_settings


@dataclass(frozen=True)
class Provenance:
    commit: str  # the project's commit, "+ changes" when the work tree differs; "unknown" outside git
    tool_version: str
    sources: list[str]
    policy_files: dict[str, str]  # file → sha256 of what was read: requirements, settings, waivers
    settings: dict[str, Any] = field(default_factory=dict)  # the reference values that decide verdicts

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "tool_version": self.tool_version,
            "sources": self.sources,
            "policy_files": self.policy_files,
            "settings": self.settings,
        }


def _git(project: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_of(project: Path) -> str:
    head = _git(project, "rev-parse", "HEAD")
    if head is None:
        return "unknown (not a git checkout)"
    changed = _git(project, "status", "--porcelain", "--untracked-files=no")
    return f"{head} + changes" if changed else head


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def collect(project: Path, sources: list[str]) -> Provenance:
    settings = policy_settings()
    return Provenance(
        commit=commit_of(project),
        tool_version=__version__,
        sources=sources,
        policy_files={display_path(p): _digest(p) for p in (REQUIREMENTS_FILE, SETTINGS_FILE, waivers_file())},
        settings={
            "operational_log_retention_days": settings.operational_log_retention_days.model_dump(),
            "access_log_retention_days": settings.access_log_retention_days.model_dump(),
            "min_pin_length": settings.min_pin_length,
            "guest_identity": settings.guest_identity.model_dump(),
            "required_stacks": settings.required_stacks,
        },
    )
