"""Shared fixtures: a private copy of the embedded profiles that a test may break without harm."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.doubles.pexip_api import RunningApi, running_pexip
from tests.doubles.tls import TestPki, make_pki
from vardmote.kits.registry.anchor import ANCHOR_ENV
from vardmote.kits.registry.database import open_engine
from vardmote.region.location import default_profiles_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
BROKEN_PROFILES = FIXTURES / "broken_profiles"


@pytest.fixture(autouse=True, scope="session")
def _audit_anchors_of_the_tests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every registry a test makes moves its audit anchor in a file of the test run, never in the
    user's data folder (a test that wants its own sets VARDMOTE_AUDIT_ANCHOR itself)."""
    if os.environ.get(ANCHOR_ENV):
        yield
        return
    os.environ[ANCHOR_ENV] = str(tmp_path_factory.mktemp("anchors") / "audit-anchors.json")
    try:
        yield
    finally:
        os.environ.pop(ANCHOR_ENV, None)


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


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def pexip(test_pki: TestPki) -> Iterator[RunningApi]:
    """The Management API stand-in running on loopback, over TLS signed by the test CA."""
    with running_pexip(test_pki) as double:
        yield double


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the Pulumi project files (Pulumi.yaml and every stack) that a test may edit."""
    for path in REPO_ROOT.glob("Pulumi*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit_stack(project: Path, stack: str, old: str, new: str) -> Path:
    """Replace the first `old` with `new` in a stack file; fail if `old` is not there."""
    path = project / f"Pulumi.{stack}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


POSTGRES_URL_ENV = "VARDMOTE_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty registry database: a SQLite file, and a database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite'}"
        return
    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_ENV} is not set: CI must test the registry on PostgreSQL")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_URL_ENV} unset; scripts/test.sh starts one)")
    name = f"vardmote_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(registry_url: str) -> Iterator[Engine]:
    """The registry database of `registry_url`, opened (migrated) as the commands open it."""
    opened = open_engine(registry_url)
    yield opened
    opened.dispose()
