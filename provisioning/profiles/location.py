"""Where the profiles are: kept apart from the schemas so that finding them loads nothing heavy."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

PROFILES_DIR_ENV = "VARDMOTE_PROFILES_DIR"


def default_profiles_dir() -> Path:
    """The profiles in $VARDMOTE_PROFILES_DIR, else the ones shipped with vardmote (device_profiles/)."""
    configured = os.environ.get(PROFILES_DIR_ENV)
    if configured:
        return Path(configured)
    # device_profiles is a namespace package of data (no __init__.py); find_spec locates it
    # in a checkout, an editable install and a wheel alike.
    spec = find_spec("device_profiles")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the embedded device_profiles are not installed; set {PROFILES_DIR_ENV}")
    return Path(next(iter(spec.submodule_search_locations)))
