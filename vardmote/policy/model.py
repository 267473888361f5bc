"""What a check is, what it looks at, and what it finds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Severity = Literal["critical", "high", "medium", "low"]
TargetKind = Literal[
    "input",  # any file or stack as read: can it be understood at all
    "platform",  # a stack's whole resource graph
    "platform_resource",  # one resource of a stack
    "stack_file",  # a Pulumi.<stack>.yaml as written (provider settings, secrets)
    "kiosk_profile",
    "broadband_profile",
    "device_model",
    "kit",
    "invitation",
    "ansible_vars",
]


@dataclass(frozen=True)
class Location:
    """Where a person goes to fix a finding: a file and line, and for platform resources a URN."""

    file: str | None = None
    line: int | None = None
    urn: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        if self.urn:
            return f"{where} ({self.urn})" if where else self.urn
        return where


@dataclass(frozen=True)
class Target:
    """One thing checks look at. `id` is stable across runs: waivers name it."""

    kind: TargetKind
    id: str
    data: Any
    location: Location
    context: Any = None
    # Line of each field, for findings about one field (file targets only).
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def location_of(self, path: tuple[str | int, ...] | None) -> Location:
        if not path or self.location.file is None:
            return self.location
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Location(self.location.file, line, self.location.urn)
        return self.location


@dataclass(frozen=True)
class Violation:
    """What is wrong, in one sentence, and the field it is about (for its line)."""

    message: str
    path: tuple[str | int, ...] | None = None


class Check(ABC):
    """One requirement made executable. Subclasses set the class attributes and `violations`."""

    id: ClassVar[str]
    title: ClassVar[str]  # reads as the requirement: "Media encryption is required on every call"
    severity: ClassVar[Severity]
    remediation: ClassVar[str]
    target_kind: ClassVar[TargetKind]
    mandatory: ClassVar[bool] = True
    # For platform_resource checks: the Pulumi resource types the check applies to.
    resource_types: ClassVar[tuple[str, ...]] = ()
    # For platform checks: where in `vardmote:platform` the stack file sets what the check looks at
    # ("security",): a finding points at that key's line, or at the key its violation names inside it.
    config_section: ClassVar[tuple[str, ...] | None] = None

    def applies_to(self, target: Target) -> bool:
        if target.kind != self.target_kind:
            return False
        return not self.resource_types or target.data.type in self.resource_types

    @abstractmethod
    def violations(self, target: Target) -> Iterable[Violation]:
        """Every way `target` breaks the requirement; nothing when it complies. Unknown or missing values
        are violations: a check fails closed."""
