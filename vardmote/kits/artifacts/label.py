"""The support label on each kit: a QR code of the asset tag, the kit's identity, whom to call under the
kit's alternative (from the responsibility matrix) and the contents checklist (routine 5.1).

The label is 62 mm × 100 mm (a standard roll label for thermal label printers), as SVG and PDF.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
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


def kommun(name: str) -> str:
    """The municipality's name as Swedish writes it before "kommun": in the genitive, which adds an s
    unless the name ends in s, x or z or in a vowel ("Sundsvalls kommun", "Kramfors kommun", "Timrå
    kommun", "Ånge kommun")."""
    if name[-1:].lower() in set("sxz") | set("aeiouyåäö"):
        return f"{name} kommun"
    return f"{name}s kommun"


# Sizes in points: nothing a technician or a patient reads is smaller than 8 pt, and the support phone
# number, what a person at home looks for, is the largest line on the label.
BODY_PT, HEADING_PT, TAG_PT, PHONE_PT = 8.0, 8.0, 11.0, 14.0
TEXT_WIDTH_MM = 54.0  # 4 mm margins on the 62 mm label
AVERAGE_CHAR_EM = 0.56  # Helvetica and DejaVu Sans, mixed Swedish text: a wide estimate, so nothing spills


def wrap_width(size_pt: float) -> int:
    """How many characters of text at `size_pt` fit across the label."""
    return int(TEXT_WIDTH_MM / (size_pt * MM_PER_POINT * AVERAGE_CHAR_EM))


def _lines(label: LabelContent) -> list[tuple[str, float, bool]]:
    """Text lines below the QR code: (text, size in pt, bold)."""
    logical = [
        (label.asset_tag, TAG_PT, True),
        (label.municipality, BODY_PT, False),
        (f"{label.model}, serienr {label.serial}", BODY_PT, False),
        ("Support och utbyte:", HEADING_PT, True),
        (label.support_phone, PHONE_PT, True),
        (f"{label.support_name}, {label.support_hours}", BODY_PT, False),
        ("Innehåll:", HEADING_PT, True),
        *((f"[ ] {item}", BODY_PT, False) for item in label.contents),
    ]
    lines: list[tuple[str, float, bool]] = []
    for text, size, bold in logical:
        lines += [(line, size, bold) for line in _wrapped(text, wrap_width(size))]
    return lines


@lru_cache(maxsize=1024)
def _wrapped(text: str, width: int) -> tuple[str, ...]:
    """`text` over lines of `width` characters, the lines after the first indented. Remembered: but for
    the tag and the serial, a batch's labels repeat the same few lines (municipality, support, contents),
    and wrapping was a fifth of drawing a label."""
    first, *rest = textwrap.wrap(text, width=width) or [""]
    return (first, *(f"    {more}" for more in textwrap.wrap(" ".join(rest), width=width - 4)))


# The QR code's place on the label (mm from the top-left corner) and the first text line's top.
QR_X_MM, QR_Y_MM, QR_SIDE_MM = 18, 3, 26
TEXT_X_MM, TEXT_TOP_MM, BOTTOM_MARGIN_MM = 4, 30.0, 2.0
MM_PER_POINT = 25.4 / 72


class LabelOverflow(ValueError):
    """The label's text does not fit on it: never print half a label."""


def _placed_lines(label: LabelContent) -> list[tuple[str, float, bool, float]]:
    """The text lines with their baselines: (text, size in pt, bold, baseline in mm from the top)."""
    placed = []
    baseline = TEXT_TOP_MM
    for text, size_pt, bold in _lines(label):
        baseline += size_pt * MM_PER_POINT * 1.2
        placed.append((text, size_pt, bold, baseline))
    if baseline > HEIGHT_MM - BOTTOM_MARGIN_MM:
        raise LabelOverflow(
            f"{label.asset_tag}: the label's text is {baseline:.0f} mm long, the label {HEIGHT_MM} mm "
            "(shorten the contents' names or the support contact)"
        )
    return placed


@dataclass(frozen=True)
class _Layout:
    """What both drawings of a label are made from: its QR code and its placed text lines."""

    symbol: qr.QrSymbol
    lines: list[tuple[str, float, bool, float]]


def _layout(label: LabelContent) -> _Layout:
    return _Layout(qr.encode(label.asset_tag, error="M"), _placed_lines(label))


def svg(label: LabelContent) -> str:
    return _svg(_layout(label))


def _svg(layout: _Layout) -> str:
    scale = QR_SIDE_MM / layout.symbol.size
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">',
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#fff"/>',
        f'<g transform="translate({QR_X_MM} {QR_Y_MM}) scale({scale:.4f})">{qr.svg_path(layout.symbol)}</g>',
    ]
    for text, size_pt, bold, baseline in layout.lines:
        weight = ' font-weight="bold"' if bold else ""
        parts.append(
            f'<text x="{TEXT_X_MM}" y="{baseline:.2f}" xml:space="preserve" '
            f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{size_pt * MM_PER_POINT:.2f}"{weight}>'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _page(label: LabelContent, layout: _Layout | None = None) -> pdf_writer.Page:
    layout = layout or _layout(label)
    page = pdf_writer.Page(WIDTH_MM, HEIGHT_MM)
    module = QR_SIDE_MM / layout.symbol.size
    for row, column, length in qr.dark_runs(layout.symbol):
        page.rectangle(QR_X_MM + column * module, QR_Y_MM + row * module, length * module, module)
    for text, size_pt, bold, baseline in layout.lines:
        page.text(TEXT_X_MM, baseline, size_pt, text, bold=bold)
    return page


def pdf(label: LabelContent) -> bytes:
    return _pdf(label, _layout(label))


def _pdf(label: LabelContent, layout: _Layout) -> bytes:
    return _page(label, layout).render(title=f"{label.asset_tag} support label")


def svg_and_pdf(label: LabelContent) -> tuple[str, bytes]:
    """The label as SVG and as PDF (the same as `svg` and `pdf`), its QR code and text laid out once."""
    layout = _layout(label)
    return _svg(layout), _pdf(label, layout)


# An A4 sheet of labels for a batch: 3 across and 2 down (62 × 100 mm each), centred, with cut marks'
# worth of space between them; as many sheets as the batch needs.
A4_MM = (210.0, 297.0)
SHEET_COLUMNS, SHEET_ROWS = 3, 2


def sheet_positions() -> list[tuple[float, float]]:
    """Where each label of a sheet goes (its top-left corner, mm from the sheet's top-left)."""
    gap_x = (A4_MM[0] - SHEET_COLUMNS * WIDTH_MM) / (SHEET_COLUMNS + 1)
    gap_y = (A4_MM[1] - SHEET_ROWS * HEIGHT_MM) / (SHEET_ROWS + 1)
    return [
        (gap_x + column * (WIDTH_MM + gap_x), gap_y + row * (HEIGHT_MM + gap_y))
        for row in range(SHEET_ROWS)
        for column in range(SHEET_COLUMNS)
    ]


def sheet_pdf(labels: list[LabelContent]) -> bytes:
    """The labels on A4 sheets, in order: print on A4 label stock or plain paper and cut."""
    if not labels:
        raise ValueError("no labels for the sheet")
    positions = sheet_positions()
    sheets = []
    for start in range(0, len(labels), len(positions)):
        sheet = pdf_writer.Page(*A4_MM)
        for label, (x_mm, y_mm) in zip(labels[start : start + len(positions)], positions, strict=False):
            sheet.place(_page(label), x_mm, y_mm)
        sheets.append(sheet)
    return pdf_writer.render_pages(sheets, title=f"{len(labels)} support labels")
