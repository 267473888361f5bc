"""What a deploy changed (or in check mode would change): each changed task as `host: task` and a
unified diff of each file, coloured at a terminal and plain when piped."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text

from vardmote.cli.console import console as default_console

if TYPE_CHECKING:
    from rich.console import Console

    from vardmote.core.playbooks import Change

# A file's diff beyond this many lines is cut, with a line saying how many more there were: a
# rewritten config file is one screen, not a scroll back through the whole run.
MAX_LINES_PER_FILE = 60
CONTEXT_LINES = 3
HIDDEN = "(output hidden: no_log)"
_NO_NEWLINE = "\\ No newline at end of file"
_SKIPPED = {
    "dst_binary": "diff skipped: the file on the host appears to be binary",
    "src_binary": "diff skipped: the new file appears to be binary",
    "dst_larger": "diff skipped: the file on the host is larger than {} bytes",
    "src_larger": "diff skipped: the new file is larger than {} bytes",
}
_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def print_changes(changes: Iterable[Change], *, console: Console | None = None) -> None:
    """Print each change: `host: task`, then its diffs indented (or that its output is hidden)."""
    out = console or default_console
    for change in changes:
        title = Text.assemble((change.host, "bold"), ": ", change.task)
        if change.hidden:
            title.append(f" {HIDDEN}", style="dim")
        out.print(title, soft_wrap=True)
        if change.hidden:
            continue  # a no_log task's diff could hold the very secret it hides
        for entry in change.diffs:
            for line in diff_lines(entry):
                out.print(Text("    ") + _styled(line), soft_wrap=True)


def diff_lines(entry: Mapping[str, Any], *, max_lines: int = MAX_LINES_PER_FILE) -> list[str]:
    """One Ansible diff entry as lines: a unified diff of `before`/`after` under their headers
    (mappings shown as one `key: value` line each), any `prepared` text, and why a diff was skipped;
    each part cut after `max_lines` lines with "… N more lines"."""
    lines = [message.format(entry[key]) for key, message in _SKIPPED.items() if key in entry]
    if "before" in entry and "after" in entry:
        before, after = _text_lines(entry["before"]), _text_lines(entry["after"])
        unified = list(
            difflib.unified_diff(
                before,
                after,
                fromfile=_header("before", entry),
                tofile=_header("after", entry),
                n=CONTEXT_LINES,
                lineterm="",
            )
        )
        lines += unified[:2] + _capped(unified[2:], max_lines)  # the two header lines always show
    if entry.get("prepared"):
        lines += _capped(str(entry["prepared"]).splitlines(), max_lines)
    return lines


def _text_lines(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [f"{key}: {json.dumps(value[key], ensure_ascii=False)}" for key in sorted(value)]
    lines = str(value).splitlines()
    if lines and not str(value).endswith("\n"):
        lines.append(_NO_NEWLINE)
    return lines


def _header(side: str, entry: Mapping[str, Any]) -> str:
    """Ansible's own header words ("before: /etc/nginx/nginx.conf"); the file module names no header,
    but its before/after state carries the path."""
    state = entry[side]
    header = entry.get(f"{side}_header") or (state.get("path") if isinstance(state, Mapping) else None)
    return f"{side}: {header}" if header else side


def _capped(lines: list[str], max_lines: int) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    return [*lines[:max_lines], f"… {len(lines) - max_lines} more lines"]


def _styled(line: str) -> Text:
    if line.startswith(("--- before", "+++ after")):
        return Text(line, style="bold")
    return Text(line, style=_STYLES.get(line[:1], ""))
