"""JSON Schema for each kind of profile file, exported from the pydantic models so editors validate as people type."""

from __future__ import annotations

import json
from pathlib import Path

from vardmote.region import layout

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render_schemas() -> dict[str, str]:
    """File name → JSON text of the schema, for every kind."""
    rendered = {}
    for kind in layout.KINDS:
        schema = kind.model.model_json_schema(mode="validation")
        schema = {"$schema": _SCHEMA_DIALECT, "$id": kind.schema_file, **schema}
        rendered[kind.schema_file] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return rendered


def stale_schema_files(root: Path) -> list[Path]:
    """Schema files under `root` that are missing or differ from what the models export now."""
    directory = root / layout.SCHEMA_DIR
    return [
        directory / name
        for name, text in render_schemas().items()
        if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text
    ]


def write_schemas(root: Path) -> list[Path]:
    """Write every schema that changed; return the files written."""
    directory = root / layout.SCHEMA_DIR
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    rendered = render_schemas()
    for path in stale_schema_files(root):
        path.write_text(rendered[path.name], encoding="utf-8")
        written.append(path)
    return written
