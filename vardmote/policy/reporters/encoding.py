"""JSON for report files: indented for a person when small, compact when large.

Python's indenting encoder is pure Python and about five times slower than the C encoder that compact
output uses: for ten thousand kits' findings that is most of the run. Tools read both alike."""

from __future__ import annotations

import json
from typing import Any

# Above this many characters of compact JSON the indented form is not read by a person anyway.
INDENT_UP_TO = 200_000


def dumps(document: Any) -> str:
    compact = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if len(compact) > INDENT_UP_TO:
        return compact + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
