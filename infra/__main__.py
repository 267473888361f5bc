"""Pulumi's entry point (Pulumi.yaml: `main: infra/`): the program is infra.program.build_platform."""

from infra.program import build_platform

build_platform()
