"""How the registry writes the numbers a technician reads off a kit, so that any way of typing one finds it."""

from __future__ import annotations


def normalise_key(value: str) -> str:
    """Asset tags and serials are kept in capitals without spaces ("rvn-2260-00001 ", "r52w 700006");
    IMEIs and ICCIDs are digits, which this only rids of spaces."""
    return "".join(value.split()).upper()
