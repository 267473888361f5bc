"""One check per module. Each module defines `CHECK`, an instance of a `vardmote.policy.model.Check` subclass."""
