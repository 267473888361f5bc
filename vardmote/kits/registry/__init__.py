"""The kit registry: every kit, its current device and SIM, its history and a tamper-evident audit log."""
