"""vardmote: infrastructure-as-code and tablet-kit provisioning for secure digital care meetings."""

__version__ = "0.1.0"
