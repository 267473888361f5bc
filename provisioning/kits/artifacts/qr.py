"""QR codes of provisioning payloads, as PNG and SVG."""

from __future__ import annotations

import io
import json
from typing import Any

import segno


def payload_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def png(payload: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload_text(payload), error="l").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def svg(payload: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload_text(payload), error="l").save(buffer, kind="svg", scale=6, border=4)
    return buffer.getvalue()
