"""Where the profiles are: kept apart from the schemas so that finding them loads nothing heavy."""

from __future__ import annotations

import os
from pathlib import Path

from vardmote.core.project_files import project_folder

PROFILES_DIR_ENV = "VARDMOTE_PROFILES_DIR"


def default_profiles_dir() -> Path:
    """The profiles in $VARDMOTE_PROFILES_DIR, else the ones shipped with vardmote (device_profiles/)."""
    configured = os.environ.get(PROFILES_DIR_ENV)
    if configured:
        return Path(configured)
    embedded = project_folder("device_profiles")
    if not embedded.is_dir():
        raise FileNotFoundError(f"the embedded device_profiles are not installed; set {PROFILES_DIR_ENV}")
    return embedded
