"""QR codes of provisioning payloads, as PNG and SVG."""

from __future__ import annotations

import io
import json
from typing import Any

import segno


def payload_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def images(payload: dict[str, Any]) -> tuple[bytes, bytes]:
    """The payload's QR code as PNG and as SVG, encoded once (encoding is the slow part)."""
    code = segno.make(payload_text(payload), error="l")
    png, svg = io.BytesIO(), io.BytesIO()
    code.save(png, kind="png", scale=6, border=4)
    code.save(svg, kind="svg", scale=6, border=4)
    return png.getvalue(), svg.getvalue()
