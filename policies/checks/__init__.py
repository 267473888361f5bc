"""One check per module. Each module defines `CHECK`, an instance of a `policies.model.Check` subclass."""
