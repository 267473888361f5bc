"""Reading a reviewed file without letting the file decide how much work the review does.

A YAML file under review is untrusted input: seven lines of nested aliases expand to millions of
values (each then walked by every check), and a timestamp such as 2027-02-30 makes PyYAML raise a
bare ValueError with no file or line. Both are found here on the composed node graph, before
anything is constructed, and reported as one Problem with file:line.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml

from vardmote.core.problems import Problem, ProblemsFound
from vardmote.core.sourced_yaml import SourcedDocument, load_sourced_yaml

# Values a file may expand to, counting every alias as a copy. The project's largest file has a few
# thousand; anything past this is an alias bomb, not a configuration.
MAX_EXPANDED_NODES = 100_000
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]|$)")

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _ComposeOnly(_Loader):
    """Ansible's tags are composed like any other; nothing is constructed here."""


def _problems_in(path: Path, root: yaml.Node) -> list[Problem]:
    sizes: dict[int, int] = {}
    problems: list[Problem] = []
    # Iterative post-order walk over distinct nodes: an alias is the same node object again, so each
    # node is sized once and its size counts as often as it is referred to.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.tag == TIMESTAMP_TAG:
            problem = _impossible_date(path, node)
            if problem:
                problems.append(problem)
        if children and not children_done:
            stack.append((node, True))
            stack += [(child, False) for child in children if id(child) not in sizes]
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
        if sizes[id(node)] > MAX_EXPANDED_NODES:
            line = node.start_mark.line + 1
            return [
                Problem(path, line, "", f"aliases expand to more than {MAX_EXPANDED_NODES:,} values (an alias bomb)")
            ]
    return problems


def _impossible_date(path: Path, node: yaml.ScalarNode) -> Problem | None:
    match = _DATE.match(str(node.value))
    if not match:
        return None
    try:
        datetime.date(*(int(part) for part in match.groups()))
    except ValueError as err:
        return Problem(path, node.start_mark.line + 1, "", f"{node.value} is not a date: {err}")
    return None


def guard_problems(path: Path) -> list[Problem]:
    """What would make loading `path` blow up or crash; empty when it is safe to load."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the loader reports these itself, with its own wording
    loader = _ComposeOnly(text)
    try:
        problems: list[Problem] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                problems += _problems_in(path, node)
        return problems
    except yaml.YAMLError:
        return []  # a syntax error: the loader reports it with its line
    finally:
        loader.dispose()


def read_yaml(path: Path) -> SourcedDocument:
    """load_sourced_yaml, bounded: raises ProblemsFound for alias bombs and impossible dates too."""
    problems = guard_problems(path)
    if problems:
        raise ProblemsFound(problems)
    return load_sourced_yaml(path)
