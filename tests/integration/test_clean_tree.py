"""The project carries everything it needs: a copy of its tracked files, with nothing beside it, sets
up and runs, and the wheel it builds is the one package `vardmote` with its data inside.

The copy lies alone in a folder of its own, so a path that climbs out of the checkout (to a sibling
folder of reference data, say) finds nothing there. The quickstart runs the README's first command
literally: `scripts/bootstrap.sh` makes the copy's own virtualenv (pip installs from the package
index, as on a user's machine), then `vardmote quickstart` runs from it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

WHEEL_TOP_LEVEL = {"vardmote", "vardmote-0.1.0.dist-info"}


def _copy_tracked_files(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():  # a file deleted in the working tree but not yet in the index is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def lone_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tracked files in <empty folder>/vardmote: no sibling folders, no virtualenv, no caches."""
    return _copy_tracked_files(tmp_path_factory.mktemp("alone") / "vardmote")


@pytest.fixture(scope="module")
def wheel(lone_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), "."],
        cwd=lone_copy,
        check=True,
        timeout=300,
    )
    (built,) = out.glob("vardmote-*.whl")
    return built


def _record(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (record,) = (name for name in archive.namelist() if name.endswith(".dist-info/RECORD"))
        rows = csv.reader(io.StringIO(archive.read(record).decode("utf-8")))
        return [row[0] for row in rows if row]


def test_the_wheel_has_the_one_top_level_package_vardmote(wheel: Path) -> None:
    assert {name.split("/", 1)[0] for name in _record(wheel)} == WHEEL_TOP_LEVEL


def test_the_wheel_carries_the_third_party_schemas_with_their_licences_and_the_project_folders(wheel: Path) -> None:
    files = set(_record(wheel))
    apple = "vardmote/third_party_schemas/apple-device-management"
    assert {f"{apple}/LICENSE.txt", f"{apple}/TopLevel.yaml", f"{apple}/com.apple.applicationaccess.yaml"} <= files
    sarif = "vardmote/third_party_schemas/sarif-2.1.0"
    assert {f"{sarif}/LICENSE.md", f"{sarif}/sarif-schema-2.1.0.json"} <= files
    assert "vardmote/third_party_schemas/README.md" in files
    assert {
        "vardmote/_project/device_profiles/region.yaml",
        "vardmote/_project/policies/requirements.yaml",
        "vardmote/_project/provisioning/enroll_kit.yml",
        "vardmote/_project/infra/__main__.py",
        "vardmote/_project/Pulumi.lab.yaml",
        "vardmote/kits/registry/migrations/env.py",
        "vardmote/verify/expectations.yml",
    } <= files


def test_an_installed_wheel_validates_profiles_and_ipad_profiles_without_a_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The unpacked wheel comes first on the path, before the editable install of this checkout.
    probe = f"""
import sys
sys.path.insert(0, {str(site)!r})
from vardmote.region.catalogue import load_catalogue
from vardmote.kits.artifacts import apple_schema
catalogue = load_catalogue()
assert str(catalogue.root).startswith({str(site)!r}), catalogue.root
assert str(apple_schema.schema_dir()).startswith({str(site)!r}), apple_schema.schema_dir()
print(len(catalogue.municipalities), "municipalities")
stub = {{"PayloadType": "Configuration", "PayloadContent": [{{"PayloadType": "com.apple.cellular"}}]}}
print(apple_schema.profile_problems(stub))
"""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VARDMOTE_")}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "7 municipalities"
    # Apple's TopLevel and Cellular schemas were found and read: they name the keys such a stub lacks.
    assert "'profile.PayloadVersion: required'" in lines[1]
    assert "PayloadContent[0](com.apple.cellular).PayloadIdentifier: required" in lines[1]
    assert "no Apple schema" not in lines[1]


def test_the_readmes_first_command_passes_in_a_copy_with_nothing_beside_it(lone_copy: Path, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VARDMOTE_", "VIRTUAL_ENV"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    # Not this checkout's virtualenv: the copy makes its own, from the machine's python3.
    ours = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != ours)
    result = subprocess.run(
        ["bash", "-c", "scripts/bootstrap.sh && .venv/bin/vardmote quickstart"],
        cwd=lone_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RVN-2262-00001" in result.stdout
    bundles = tmp_path / "data" / "vardmote" / "quickstart" / "bundles"
    assert sorted(path.name for path in bundles.iterdir()) == [
        "RVN-2260-00001",
        "RVN-2262-00001",
        "RVN-2280-00001",
        "RVN-2281-00001",
        "RVN-2282-00001",
        "RVN-2283-00001",
        "RVN-2284-00001",
    ]
