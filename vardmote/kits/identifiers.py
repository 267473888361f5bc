"""Device and SIM identifiers: IMEI and ICCID carry Luhn check digits; Swedish ICCIDs start 8946."""

from __future__ import annotations

import re

SWEDISH_ICCID_PREFIX = "8946"  # 89 (telecom) + 46 (Sweden's country code)


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 1 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def imei_problem(imei: str) -> str | None:
    """Why `imei` is not a valid IMEI (15 digits, Luhn), or None."""
    if not re.fullmatch(r"\d{15}", imei):
        return f"IMEI must be 15 digits, got {imei!r}"
    if not luhn_valid(imei):
        return f"IMEI {imei} fails its Luhn check digit"
    return None


def iccid_problem(iccid: str) -> str | None:
    """Why `iccid` is not a valid Swedish ICCID (19–20 digits, 8946…, Luhn), or None."""
    if not re.fullmatch(r"\d{19,20}", iccid):
        return f"ICCID must be 19 or 20 digits, got {iccid!r}"
    if not iccid.startswith(SWEDISH_ICCID_PREFIX):
        return f"ICCID {iccid} is not Swedish (must start {SWEDISH_ICCID_PREFIX})"
    if not luhn_valid(iccid):
        return f"ICCID {iccid} fails its Luhn check digit"
    return None
