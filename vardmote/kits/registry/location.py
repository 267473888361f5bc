"""Where the registry is: $VARDMOTE_DB_URL, else a SQLite file in the user's data folder.

Apart from the database stack, so that a `vardmote kit` command can hand the registry's URL to its
playbook before it loads SQLAlchemy (see vardmote/cli/kit_run.py).
"""

from __future__ import annotations

import os
from pathlib import Path

DB_URL_ENV = "VARDMOTE_DB_URL"


def default_db_url() -> str:
    """$VARDMOTE_DB_URL, else a SQLite file in the user's data folder."""
    configured = os.environ.get(DB_URL_ENV)
    if configured:
        return configured
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "vardmote"
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'registry.sqlite'}"
