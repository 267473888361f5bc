"""MDM drivers behind one interface: `bundle` (offline enrollment bundle) and `amapi` (Android Management API)."""
