"""Opening the registry: SQLite by default (WAL), PostgreSQL by URL, migrated to the current schema."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

from vardmote.kits.registry.location import DB_URL_ENV, default_db_url

__all__ = ["DB_URL_ENV", "current_revision", "default_db_url", "migrate", "open_engine"]

HEAD_REVISION = "0004"
MIGRATIONS = Path(__file__).with_name("migrations")


def _switch_to_wal(cursor: Any) -> None:
    """WAL mode, which a file keeps once set. Two first runs at once both switch a new file, and SQLite
    answers the second 'database is locked' at once rather than waiting: that one tries again."""
    for attempt in range(100):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or attempt == 99:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        # Python's sqlite3 starts transactions lazily; take them ourselves (below) so that a write
        # transaction holds the write lock from its first statement and concurrent writers queue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _switch_to_wal(cursor)
        # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: the file stays consistent
        # through any crash, and a power cut may lose the last commits, which a re-run of the same
        # command redoes (every step is idempotent). FULL would cost an fsync per kit and step.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(url: str | None = None) -> Engine:
    """An engine on the registry at `url`, its schema migrated to the current revision."""
    url = url or default_db_url()
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    if current_revision(engine) != HEAD_REVISION:
        migrate(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, read directly: checking it must not cost the Alembic import."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def migrate(engine: Engine) -> None:
    from alembic import command  # noqa: PLC0415 - only when the schema is behind
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Two first runs at once must not both create the schema: the second waits, then finds it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(7486373)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
