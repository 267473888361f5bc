"""The platform's building blocks, one ComponentResource per concept."""
