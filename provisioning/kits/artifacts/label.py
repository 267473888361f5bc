"""The support label on each kit: a QR code of the asset tag, the kit's identity, whom to call under the
kit's alternative (from the responsibility matrix) and the contents checklist (routine 5.1).

The label is 62 mm × 100 mm (a standard roll label for thermal label printers), as SVG and PDF.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from provisioning.kits.artifacts import qr

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


def svg(label: LabelContent) -> str:
    symbol = qr.encode(label.asset_tag, error="M")
    scale = 30 / symbol.size  # the QR code is 30 mm wide
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">',
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#fff"/>',
        f'<g transform="translate(16 4) scale({scale:.4f})">{qr.svg_path(symbol)}</g>',
    ]
    y = 39.0
    for text, size_pt, bold in _lines(label):
        mm = size_pt * 0.3528
        y += mm * 1.25
        weight = ' font-weight="bold"' if bold else ""
        parts.append(
            f'<text x="4" y="{y:.2f}" xml:space="preserve" font-family="DejaVu Sans, Arial, sans-serif" '
            f'font-size="{mm:.2f}"{weight}>'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# The PDF's built-in fonts cover Latin-1, which has å, ä and ö; typographic dashes and quotes do not.
_LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def pdf(label: LabelContent) -> bytes:
    # fpdf2 brings Pillow and fontTools (a fifth of a second to import): loaded only to draw a label.
    from fpdf import FPDF  # noqa: PLC0415

    document = FPDF(orientation="P", unit="mm", format=(WIDTH_MM, HEIGHT_MM))
    document.set_margins(4, 4, 4)
    document.set_auto_page_break(False)
    document.add_page()
    code = qr.png(qr.encode(label.asset_tag, error="M"), scale=8, border=0)
    document.image(io.BytesIO(code), x=16, y=4, w=30, h=30)
    document.set_y(38)
    for text, size_pt, bold in _lines(label):
        document.set_font("helvetica", "B" if bold else "", size_pt)
        document.cell(0, size_pt * 0.3528 * 1.25, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
