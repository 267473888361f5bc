"""The support label on each kit: a QR code of the asset tag, the kit's identity, whom to call under the
kit's alternative (from the responsibility matrix) and the contents checklist (routine 5.1).

The label is 62 mm × 100 mm (a standard roll label for thermal label printers), as SVG and PDF.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from vardmote.kits.artifacts import pdf as pdf_writer
from vardmote.kits.artifacts import qr

WIDTH_MM, HEIGHT_MM = 62, 100


@dataclass(frozen=True)
class LabelContent:
    asset_tag: str
    municipality: str
    model: str
    serial: str
    support_name: str
    support_phone: str
    support_hours: str
    contents: list[str]


# Small text (≤ 8 pt) fits about 40 characters across the label; longer lines wrap, indented.
WRAP_AT = 40


def _lines(label: LabelContent) -> list[tuple[str, float, bool]]:
    """Text lines below the QR code: (text, size in pt, bold)."""
    logical = [
        (label.asset_tag, 11, True),
        (label.municipality, 8, False),
        (label.model, 6.5, False),
        (f"Serienr: {label.serial}", 6.5, False),
        ("Support och utbyte:", 7, True),
        (label.support_name, 6.5, False),
        (f"{label.support_phone} ({label.support_hours})", 6.5, False),
        ("Innehåll:", 7, True),
        *((f"[ ] {item}", 6.5, False) for item in label.contents),
    ]
    lines: list[tuple[str, float, bool]] = []
    for text, size, bold in logical:
        first, *rest = textwrap.wrap(text, width=WRAP_AT) or [""]
        lines.append((first, size, bold))
        lines += [(f"    {more}", size, bold) for more in textwrap.wrap(" ".join(rest), width=WRAP_AT - 4)]
    return lines


# The QR code's place on the label (mm from the top-left corner) and the first text line's top.
QR_X_MM, QR_Y_MM, QR_SIDE_MM = 16, 4, 30
TEXT_X_MM, TEXT_TOP_MM = 4, 39.0
MM_PER_POINT = 25.4 / 72


def _placed_lines(label: LabelContent) -> list[tuple[str, float, bool, float]]:
    """The text lines with their baselines: (text, size in pt, bold, baseline in mm from the top)."""
    placed = []
    baseline = TEXT_TOP_MM
    for text, size_pt, bold in _lines(label):
        baseline += size_pt * MM_PER_POINT * 1.25
        placed.append((text, size_pt, bold, baseline))
    return placed


def svg(label: LabelContent) -> str:
    symbol = qr.encode(label.asset_tag, error="M")
    scale = QR_SIDE_MM / symbol.size
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">',
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#fff"/>',
        f'<g transform="translate({QR_X_MM} {QR_Y_MM}) scale({scale:.4f})">{qr.svg_path(symbol)}</g>',
    ]
    for text, size_pt, bold, baseline in _placed_lines(label):
        weight = ' font-weight="bold"' if bold else ""
        parts.append(
            f'<text x="{TEXT_X_MM}" y="{baseline:.2f}" xml:space="preserve" '
            f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{size_pt * MM_PER_POINT:.2f}"{weight}>'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def pdf(label: LabelContent) -> bytes:
    page = pdf_writer.Page(WIDTH_MM, HEIGHT_MM)
    symbol = qr.encode(label.asset_tag, error="M")
    module = QR_SIDE_MM / symbol.size
    for row, column, length in qr.dark_runs(symbol):
        page.rectangle(QR_X_MM + column * module, QR_Y_MM + row * module, length * module, module)
    for text, size_pt, bold, baseline in _placed_lines(label):
        page.text(TEXT_X_MM, baseline, size_pt, text, bold=bold)
    return page.render(title=f"{label.asset_tag} support label")
