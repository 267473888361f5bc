"""Problems found in user-supplied files, reported as one `file:line: field: message` line each."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FieldPath = tuple[str | int, ...]


def format_field_path(loc: FieldPath) -> str:
    """Render a field path the way people read it: `duties[3].responsible.alt2`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it, as editors link it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at one line."""

    file: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.file)}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ProblemsFound(Exception):
    """Raised when input files are invalid; carries every problem found, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def one_line(err: BaseException) -> str:
    """An exception as one line: a database driver's own first line rather than its wrapper's paragraph."""
    cause = getattr(err, "orig", None) or err
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__
