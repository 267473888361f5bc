"""Pulumi's entry point (Pulumi.yaml: `main: infra/`); the program is vardmote.platform.program."""

from vardmote.platform.program import build_platform

build_platform()
