"""Raw tables of request volume and the samples found outside their day."""

from __future__ import annotations

import polars as pl

from ingest.schemas.types import TS

# Request volume by tenant and feature; a Prometheus sample at t covers (t - 1h, t] and belongs to the day of t - 1h.
REQUEST_COUNTS: dict[str, pl.DataType] = {
    "sample_at": TS,
    "usage_date": pl.Date,
    "tenant_id": pl.String,
    "feature_id": pl.String,
    "requests": pl.Float64,
    "source_file": pl.String,
}

# Samples found outside the files of their own day (docs/money-and-time.md, "Late and early data"), under the day of
# the file they were found in: counted, never in raw.request_counts.
REQUEST_COUNTS_QUARANTINE: dict[str, pl.DataType] = {
    **REQUEST_COUNTS,
    "reason": pl.String,
}
