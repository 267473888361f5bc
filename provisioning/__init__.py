"""Tablet-kit provisioning: the region's profile data, the kit registry and the Ansible that acts on kits."""
