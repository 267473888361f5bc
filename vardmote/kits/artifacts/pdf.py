"""A one-page PDF of text lines and filled rectangles: what a support label needs, and no more.

The text uses two of the PDF standard fonts (Helvetica and Helvetica-Bold), which every PDF reader has,
so nothing is embedded; WinAnsiEncoding covers Swedish (å, ä, ö, é) and typographic dashes and quotes.
The QR code is drawn as rectangles, so it stays sharp at any printer resolution. The output has no
creation date and is the same bytes for the same label, so re-rendering an unchanged label changes
nothing. A general PDF library took ~0.15 s to import and ~6 ms per label; this takes well under 1 ms.
Layout is in millimetres from the page's top-left corner, as on the label's SVG.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import lru_cache

POINTS_PER_MM = 72 / 25.4
_FONTS = {False: b"F1", True: b"F2"}  # bold → font resource


@lru_cache(maxsize=4096)
def _number(value: float) -> bytes:
    """`value` in the content stream's shortest form. Remembered: a label's QR code is ~120 rectangles
    whose corners and sizes take a few dozen distinct values, the same on every label."""
    return f"{value:.3f}".rstrip("0").rstrip(".").encode()


def _literal(text: str) -> bytes:
    """`text` as a PDF string in WinAnsiEncoding (cp1252); what it lacks becomes '?'."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@dataclass
class Page:
    width_mm: float
    height_mm: float
    _operations: list[bytes] = field(default_factory=list)

    def _x(self, mm: float) -> bytes:
        return _number(mm * POINTS_PER_MM)

    def _y(self, mm_from_top: float) -> bytes:
        return _number((self.height_mm - mm_from_top) * POINTS_PER_MM)

    def text(self, x_mm: float, baseline_mm: float, size_pt: float, text: str, *, bold: bool = False) -> None:
        """One line of text whose baseline is `baseline_mm` below the top edge."""
        self._operations.append(
            b"BT /" + _FONTS[bold] + b" " + _number(size_pt) + b" Tf "
            + self._x(x_mm) + b" " + self._y(baseline_mm) + b" Td " + _literal(text) + b" Tj ET"
        )  # fmt: skip

    def rectangle(self, x_mm: float, top_mm: float, width_mm: float, height_mm: float) -> None:
        """A black rectangle whose top-left corner is at (`x_mm`, `top_mm`)."""
        self._operations.append(
            self._x(x_mm) + b" " + self._y(top_mm + height_mm) + b" "
            + _number(width_mm * POINTS_PER_MM) + b" " + _number(height_mm * POINTS_PER_MM) + b" re f"
        )  # fmt: skip

    def render(self, title: str) -> bytes:
        return render_pages([self], title)

    def place(self, other: Page, x_mm: float, y_mm: float) -> None:
        """Draw `other`'s text and rectangles on this page with its top-left corner at (`x_mm`, `y_mm`):
        an A4 sheet of labels is the labels' own pages, placed."""
        shift_x = x_mm * POINTS_PER_MM
        shift_y = (self.height_mm - y_mm - other.height_mm) * POINTS_PER_MM  # PDF's origin is bottom-left
        self._operations.append(b"q 1 0 0 1 " + _number(shift_x) + b" " + _number(shift_y) + b" cm")
        self._operations += other._operations
        self._operations.append(b"Q")


def render_pages(pages: list[Page], title: str) -> bytes:
    """A PDF of `pages`, in order, with the two standard fonts shared."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages' numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _literal(title) + b" /Producer (vardmote) >>",
    ]
    kids = []
    for page in pages:
        content = zlib.compress(b"0 g\n" + b"\n".join(page._operations) + b"\n")
        size = b"[0 0 " + _number(page.width_mm * POINTS_PER_MM) + b" " + _number(page.height_mm * POINTS_PER_MM) + b"]"
        objects.append(
            b"<< /Length "
            + str(len(content)).encode()
            + b" /Filter /FlateDecode >>\nstream\n"
            + content
            + b"\nendstream"
        )
        contents = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox " + size
            + b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents " + str(contents).encode() + b" 0 R >>"
        )  # fmt: skip
        kids.append(str(len(objects)).encode() + b" 0 R")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count " + str(len(pages)).encode() + b" >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the binary comment marks the file as binary
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R /Info 5 0 R >>\n"
    out += b"startxref\n" + str(table).encode() + b"\n%%EOF\n"
    return bytes(out)
