"""The region's data in device_profiles/: schemas, loading, cross-file rules and the responsibility matrix."""
