"""Names of the platform's Pulumi resources, made from what identifies each object in the API."""

from __future__ import annotations


def resource_name(prefix: str, value: object) -> str:
    """A Pulumi resource name from what identifies an object in the API (an address, a name): the
    characters a URN cannot carry (`:` of IPv6, `/`, spaces) become `-`."""
    text = "".join(c if c.isalnum() or c in "._-" else "-" for c in str(value))
    return f"{prefix}-{text}"
