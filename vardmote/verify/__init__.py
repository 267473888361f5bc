"""`vardmote verify`: prove a deployed stack's hosts do what the port table and the roles promise.

The checks are pytest-testinfra tests over its paramiko backend (no ssh client binary or config),
with each host's key checked against the known_hosts file the inventory names.
"""
