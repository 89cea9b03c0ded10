"""Pure parsers: landing files (bytes) to polars DataFrames in the raw-table contract (ingest/schemas.py)."""
