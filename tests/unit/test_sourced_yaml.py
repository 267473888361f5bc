from __future__ import annotations

from pathlib import Path

import pytest

from vardmote.core.problems import ProblemsFound
from vardmote.core.sourced_yaml import load_sourced_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_of_keys_and_list_items_are_recorded(tmp_path: Path) -> None:
    document = load_sourced_yaml(write(tmp_path, "# comment\n---\na: 1\nb:\n  - x\n  - c: 2\n"))
    assert document.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert document.lines[("a",)] == 3
    assert document.lines[("b", 0)] == 5
    assert document.lines[("b", 1, "c")] == 6


def test_a_missing_key_is_located_at_its_parent(tmp_path: Path) -> None:
    document = load_sourced_yaml(write(tmp_path, "---\na:\n  b: 1\n"))
    assert document.line_of(("a", "missing")) == 2
    assert document.line_of(("missing",)) == 2  # the document's first line of content


def test_duplicate_keys_are_rejected_with_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\n")
    with pytest.raises(ProblemsFound) as found:
        load_sourced_yaml(path)
    assert [str(p) for p in found.value.problems] == [f"{path}:4: b.c: duplicate key (first defined at line 3)"]


def test_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: [unclosed\n")
    with pytest.raises(ProblemsFound) as found:
        load_sourced_yaml(path)
    (problem,) = found.value.problems
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML: ")


def test_an_empty_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ProblemsFound, match="file is empty"):
        load_sourced_yaml(write(tmp_path, "# only a comment\n"))
