"""YAML documents that remember where each value came from.

Validation errors must name the file and line a person has to edit, and YAML's silent
"last duplicate key wins" hides typos, so this loader records the line of every key and
list item and rejects duplicate keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vardmote.core.problems import FieldPath, Problem, ProblemsFound, format_field_path


@dataclass(frozen=True)
class SourcedDocument:
    """A parsed YAML document and the 1-based line of every key and list item in it."""

    path: Path
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, loc: FieldPath) -> int:
        """Line of the deepest part of `loc` that appears in the file (a missing key points at its parent)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, loc: FieldPath, message: str) -> Problem:
        """A problem located at the field `loc` of this document."""
        return Problem(self.path, self.line_of(loc), format_field_path(loc), message)


# libyaml's parser when PyYAML was built with it (several times faster); both keep marks for line numbers.
try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _SAFE_LOADER(_BaseLoader):  # noqa: N801 - read as the loader's name
    """Safe loading, plus Ansible's `!vault` and `!unsafe` tags read as their plain text, so that
    Ansible variable files can be reviewed without being decrypted."""


def _tagged_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


for _tag in ("!vault", "!unsafe"):
    _SAFE_LOADER.add_constructor(_tag, _tagged_text)


def _record_lines(node: yaml.Node, loc: FieldPath, doc_path: Path, lines: dict[FieldPath, int]) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            key_loc = (*loc, key)
            if key in first_seen:
                problems.append(
                    Problem(
                        doc_path,
                        line,
                        format_field_path(key_loc),
                        f"duplicate key (first defined at line {first_seen[key]})",
                    )
                )
                continue
            first_seen[key] = line
            lines[key_loc] = line
            problems += _record_lines(value_node, key_loc, doc_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_loc = (*loc, index)
            lines[item_loc] = item.start_mark.line + 1
            problems += _record_lines(item, item_loc, doc_path, lines)
    return problems


def load_sourced_yaml(path: Path) -> SourcedDocument:
    """Parse one YAML file; raise ProblemsFound for unreadable files, syntax errors and duplicate keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ProblemsFound([Problem(path, 1, "", f"cannot read file: {err}")]) from err
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProblemsFound([Problem(path, 1, "", "file is empty")])
        # A missing top-level key is reported at the document's first line of content.
        lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
        duplicates = _record_lines(node, (), path, lines)
        if duplicates:
            raise ProblemsFound(duplicates)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise ProblemsFound([Problem(path, line, "", f"invalid YAML: {err.problem or err.context}")]) from err
    except yaml.YAMLError as err:
        raise ProblemsFound([Problem(path, 1, "", f"invalid YAML: {err}")]) from err
    finally:
        loader.dispose()
    return SourcedDocument(path, data, lines)
