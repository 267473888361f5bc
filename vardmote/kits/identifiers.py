"""Device and SIM identifiers: IMEI and ICCID carry Luhn check digits; Swedish ICCIDs start 8946.

Digits are the ASCII digits 0–9 only: Python's `\\d` and `str.isdigit` also take Arabic-Indic or
full-width digits, which a spreadsheet may carry and no device reports.
"""

from __future__ import annotations

import re

SWEDISH_ICCID_PREFIX = "8946"  # 89 (telecom) + 46 (Sweden's country code)
SERIAL_MAX = 40  # the registry's column
# Manufacturers' serials are letters and digits (Samsung R52W700006, Apple DMPXK0Q1HGDX).
SERIAL_PATTERN = re.compile(r"[A-Z0-9]{4,40}")


def normalise_serial(serial: str) -> str:
    """A serial as the registry keeps it: capitals, no spaces ("r52w 700006 " → "R52W700006")."""
    return "".join(serial.split()).upper()


def normalise_digits(value: str) -> str:
    """An IMEI or ICCID without the spaces people group its digits with."""
    return "".join(value.split())


def serial_problem(serial: str) -> str | None:
    """Why a (normalised) serial cannot be a device's serial, or None."""
    if len(serial) > SERIAL_MAX:
        return f"serial is {len(serial)} characters, at most {SERIAL_MAX}"
    strange = sorted({char for char in serial if not ("A" <= char <= "Z" or "0" <= char <= "9")})
    if strange:
        return f"serial {serial!r} has characters no serial has: {' '.join(repr(c) for c in strange)}"
    if not SERIAL_PATTERN.fullmatch(serial):
        return f"serial {serial!r} is too short (at least 4 letters or digits)"
    return None


def _ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def luhn_valid(digits: str) -> bool:
    if not _ascii_digits(digits):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 1 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits_problem(what: str, value: str) -> str | None:
    if value.isdigit() and not value.isascii():
        return f"{what} {value!r} has digits other than 0–9; type it with 0–9"
    return None


def imei_problem(imei: str) -> str | None:
    """Why `imei` is not a valid IMEI (15 digits, Luhn), or None."""
    if problem := _digits_problem("IMEI", imei):
        return problem
    if not (_ascii_digits(imei) and len(imei) == 15):
        return f"IMEI must be 15 digits, got {imei!r}"
    if not luhn_valid(imei):
        return f"IMEI {imei} fails its Luhn check digit"
    return None


def iccid_problem(iccid: str) -> str | None:
    """Why `iccid` is not a valid Swedish ICCID (19–20 digits, 8946…, Luhn), or None."""
    if problem := _digits_problem("ICCID", iccid):
        return problem
    if not (_ascii_digits(iccid) and 19 <= len(iccid) <= 20):
        return f"ICCID must be 19 or 20 digits, got {iccid!r}"
    if not iccid.startswith(SWEDISH_ICCID_PREFIX):
        return f"ICCID {iccid} is not Swedish (must start {SWEDISH_ICCID_PREFIX})"
    if not luhn_valid(iccid):
        return f"ICCID {iccid} fails its Luhn check digit"
    return None
