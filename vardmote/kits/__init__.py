"""Tablet kits: their records, registry and lifecycle."""
