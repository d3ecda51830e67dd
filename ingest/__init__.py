"""ingest: loading files, repairing extraction damage, finding structure, emitting clauses."""
