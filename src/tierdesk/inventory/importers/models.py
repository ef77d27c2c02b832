"""Import runs and saved column mappings (filled in by the importer work)."""
