"""The lab: the `lab` stack's hosts as systemd-nspawn containers on this machine.

Each host boots a Debian bookworm system (systemd as PID 1, sshd) from one cached base image,
with its own overlay, network namespace and address, so the same Ansible that configures the
region's servers can be proven on real hosts before a change reaches them.
"""
