"""Shared fixtures: a private copy of the embedded profiles that a test may break without harm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provisioning.profiles.layout import default_profiles_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
BROKEN_PROFILES = FIXTURES / "broken_profiles"


@pytest.fixture
def profiles_copy(tmp_path: Path) -> Path:
    """A copy of the embedded device_profiles tree in a temporary folder."""
    target = tmp_path / "device_profiles"
    shutil.copytree(default_profiles_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def overlay(root: Path, case: str) -> Path:
    """Lay the files of one broken-profile case over a profiles tree; return the tree."""
    shutil.copytree(BROKEN_PROFILES / case, root, dirs_exist_ok=True)
    return root
