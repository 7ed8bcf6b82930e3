"""Version stamps every profile file and fingerprint carries (kept apart from the pydantic models, so that
planning a night with nothing to do need not build them)."""

SCHEMA_VERSION = "2.0"
