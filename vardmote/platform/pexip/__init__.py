"""Pexip Infinity configuration through its Management API: a client and Pulumi dynamic providers."""
