"""The command line's output: rich for people, plain unwrapped lines where a line must stay one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from vardmote.core.problems import Problem

# Piped output (CI logs, files) has no terminal width; 120 columns keeps the tables readable there.
_PIPED_WIDTH = 120
# No emoji codes: `games:x:5:60` (a line of a file, a host's output) would print with an emoji in it.
console = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
error_console = Console(stderr=True, highlight=False, emoji=False, width=None if sys.stderr.isatty() else _PIPED_WIDTH)


def print_problems(problems: Iterable[Problem], *, stderr: bool = False) -> int:
    """Print each problem as one `file:line: field: message` line (never wrapped); return how many.
    On stdout for a report the user asked for (`profiles validate`); on stderr where they stop a command
    whose stdout is its result."""
    out = sys.stderr if stderr else sys.stdout
    count = 0
    for problem in problems:
        out.write(f"{problem}\n")
        count += 1
    out.flush()
    return count


def fail(message: str) -> None:
    """One clear line on stderr for a problem the user can fix. The message is plain text, never markup:
    it carries file contents, paths and hosts' output, where `[...]` would vanish. (A Text rather than
    rich.markup.escape, which doubles a trailing backslash.)"""
    error_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def print_json(document: object) -> None:
    """JSON for scripts: plain UTF-8, never wrapped or coloured; indented for a person at a terminal,
    compact when piped (the indenting encoder is pure Python and many times slower on large documents)."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(document, indent=indent, ensure_ascii=False) + "\n")
    sys.stdout.flush()
