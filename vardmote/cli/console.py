"""The command line's output: rich for people, plain unwrapped lines where a line must stay one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from rich.console import Console

from vardmote.core.problems import Problem

# Piped output (CI logs, files) has no terminal width; 120 columns keeps the tables readable there.
_PIPED_WIDTH = 120
console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
error_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else _PIPED_WIDTH)


def print_problems(problems: Iterable[Problem]) -> int:
    """Print each problem as one `file:line: field: message` line (never wrapped); return how many."""
    count = 0
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
        count += 1
    sys.stdout.flush()
    return count


def fail(message: str) -> None:
    """One clear line on stderr for a problem the user can fix."""
    error_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)


def print_json(document: object) -> None:
    """JSON for scripts: plain UTF-8, never wrapped or coloured; indented for a person at a terminal,
    compact when piped (the indenting encoder is pure Python and many times slower on large documents)."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(document, indent=indent, ensure_ascii=False) + "\n")
    sys.stdout.flush()
