"""The `vardmote` command: one thin module per command group, each calling into the rooms below it."""
