"""Where the project's own folders are: beside the package in a checkout, inside it when installed.

The checkout keeps each tool's folder at its top, laid out as that tool expects: the data in
`device_profiles/`, the Ansible project in `provisioning/`, the CrossGuard pack and the requirement
catalogue in `policies/`, the Pulumi program's `main` in `infra/`. A built wheel carries copies of them
in `vardmote/_project/` (see setup.py), so an installed vardmote needs no checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
BUNDLED_ROOT = PACKAGE_DIR / "_project"
CHECKOUT_ROOT = PACKAGE_DIR.parent


def project_root() -> Path:
    """The folder holding device_profiles/, provisioning/, policies/ and infra/: the installed copy when
    there is one, else the checkout this package is in."""
    return BUNDLED_ROOT if BUNDLED_ROOT.is_dir() else CHECKOUT_ROOT


def project_folder(name: str) -> Path:
    """One of the project's top-level folders, e.g. `project_folder("provisioning")`."""
    return project_root() / name
