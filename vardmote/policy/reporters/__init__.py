"""Report formats, one module each: table (people at a terminal), json, sarif, junit, markdown."""

from __future__ import annotations

from collections.abc import Callable

from vardmote.policy.engine import Report
from vardmote.policy.reporters import json_report, junit, markdown, sarif

RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
}
