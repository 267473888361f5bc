"""QR codes: encoded by zxing-cpp, drawn as PNG and SVG.

zxing-cpp writes QR codes with Zint's encoder (C++): the smallest version that holds the text at the
asked error-correction level, and of the eight masks the one with the lowest penalty score (ISO/IEC
18004 §7.8.3), as any conforming encoder does. A provisioning payload of ~800 characters is a
version-21 symbol, which a pure-Python encoder took ~30 ms to make (most of it scoring the masks): in a
batch, drawing QR codes was most of the enrollment. zxing-cpp makes it in ~2 ms.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import zxingcpp
from PIL import Image

QUIET_ZONE = 4  # modules of light margin around a QR code (ISO/IEC 18004 §6.3.8)
_DARK = 0  # zxing-cpp draws dark modules as 0 and light ones as 255
_DARK_RUN = re.compile(rb"\x00+")


@dataclass(frozen=True)
class QrSymbol:
    """A QR code's modules, row by row, without the quiet zone."""

    size: int
    modules: bytes  # size × size bytes, 0 for a dark module

    def dark(self) -> list[tuple[int, int]]:
        """(row, column) of every dark module."""
        return [divmod(index, self.size) for index, value in enumerate(self.modules) if value == _DARK]


def encode(text: str, error: str = "L") -> QrSymbol:
    """`text` as a QR code at error-correction level `error` (L, M, Q or H)."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False))  # one pixel per module
    return QrSymbol(image.width, image.tobytes())


def png(symbol: QrSymbol, scale: int, border: int = QUIET_ZONE) -> bytes:
    """A black-and-white PNG (1 bit a pixel, greyscale), `scale` pixels per module, `border` modules of
    margin. Written here, a module row at a time: each row's line is packed once and its repeats are
    filtered "Up" (all zeros), the filter any PNG encoder's heuristic picks for a repeated line. Pillow
    packs and filters every one of a code's ~600 lines, which took ~1.5 ms a provisioning code."""
    side = (symbol.size + 2 * border) * scale
    stride = (side + 7) // 8
    margin, padding = b"1" * (border * scale), b"1" * (stride * 8 - side)
    light = _FILTER_NONE + (int(b"1" * (stride * 8), 2)).to_bytes(stride, "big")
    repeat = _FILTER_UP + bytes(stride)
    lines = [light, *[repeat] * (border * scale - 1)]
    dark, bright = b"0" * scale, b"1" * scale
    for row in range(symbol.size):
        modules = symbol.modules[row * symbol.size : (row + 1) * symbol.size]
        bits = modules.translate(_MODULE_BITS).replace(b"0", dark).replace(b"1", bright)
        line = int(margin + bits + margin + padding, 2).to_bytes(stride, "big")
        lines += [_FILTER_NONE + line, *[repeat] * (scale - 1)]
    lines += [light, *[repeat] * (border * scale - 1)]
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # bit depth 1, greyscale, no interlace
    # zlib level 1: half the time of the default, and a QR code of large flat areas compresses well anyway
    data = zlib.compress(b"".join(lines), 1)
    return _PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


# A module's byte (0 dark, 255 light) as the bit PNG's 1-bit greyscale stores it (0 black, 1 white).
_MODULE_BITS = bytes.maketrans(bytes([_DARK, 255]), b"01")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FILTER_NONE, _FILTER_UP = b"\x00", b"\x02"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def dark_runs(symbol: QrSymbol) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each run of dark modules in a row: a QR code drawn as rectangles."""
    runs = []
    for row in range(symbol.size):
        line = symbol.modules[row * symbol.size : (row + 1) * symbol.size]
        runs += [(row, run.start(), run.end() - run.start()) for run in _DARK_RUN.finditer(line)]
    return runs


def svg_path(symbol: QrSymbol, offset: int = 0) -> str:
    """The dark modules as one SVG path in module units (a module is 1×1), shifted by `offset`: one
    rectangle per run of dark modules in a row (`dark_runs`). A provisioning code has ~2,500 runs, so
    each run's command is put together from pieces made once per code (its column's move, its row,
    its length's rectangle), not formatted anew."""
    size, modules = symbol.size, symbol.modules
    moves = [f"M{column + offset} " for column in range(size)]
    rows = [str(row + offset) for row in range(size)]
    rectangles = [f"h{length}v1h-{length}z" for length in range(size + 1)]
    commands: list[str] = []
    add = commands.append
    for row in range(size):
        start_of_row, y = row * size, rows[row]
        for match in _DARK_RUN.finditer(modules, start_of_row, start_of_row + size):
            start, end = match.span()
            add(moves[start - start_of_row])
            add(y)
            add(rectangles[end - start])
    return f'<path fill="#000" d="{"".join(commands)}"/>'


def svg(symbol: QrSymbol, scale: int, border: int = QUIET_ZONE) -> str:
    """A standalone SVG document, `scale` user units per module, `border` modules of white margin."""
    side = symbol.size + 2 * border
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side * scale}" height="{side * scale}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>{svg_path(symbol, border)}</svg>\n'
    )


def payload_text(payload: dict[str, Any]) -> str:
    """The payload as compact JSON in ASCII: anything else is a \\u escape, which JSON readers decode, so
    no QR reader has to guess a character set (given Latin-1 text without an ECI marker, readers may
    guess Shift_JIS, and å becomes ﾅ)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True)


def images(payload: dict[str, Any]) -> tuple[bytes, bytes]:
    """The payload's QR code as PNG and as SVG, encoded once."""
    symbol = encode(payload_text(payload), error="L")
    return png(symbol, scale=6), svg(symbol, scale=6).encode()
