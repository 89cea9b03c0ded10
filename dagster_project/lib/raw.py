"""Shared plumbing of the raw assets: which days a run covers and where a source's files are."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from dagster_project.lib.config import SourceConfig
from ingest.landing import Landing

RAW_ASSET_KW = dict(
    backfill_policy=dg.BackfillPolicy.single_run(),
    # DuckDB takes one writer per file: every asset that writes the warehouse shares this pool
    pool="warehouse_writer",
)


def raw_specs(*tables: str, deps=(), description: str | None = None) -> list[dg.AssetSpec]:
    """One asset per raw table (raw/<table>), as the dbt sources name them."""
    return [
        dg.AssetSpec(key=["raw", t], group_name="raw", kinds={"polars", "duckdb"}, deps=list(deps),
                     description=description)
        for t in tables
    ]


def materialized(table: str, **metadata) -> dg.MaterializeResult:
    return dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)


def run_days(context: dg.AssetExecutionContext) -> list[date]:
    """The days of this run's partition key range (one key for a daily run, many for a single-run backfill)."""
    return [date.fromisoformat(k) for k in context.partition_keys]


def with_neighbours(days: list[date]) -> set[date]:
    out: set[date] = set()
    for d in days:
        out.update({d - timedelta(days=1), d, d + timedelta(days=1)})
    return out


def open_landing(source: SourceConfig, log) -> Landing | None:
    """The source's landing zone, or None (with a warning) when it is missing or empty: a company without that
    source still gets its ledger from the others."""
    landing = Landing(source.uri, endpoint_url=source.endpoint_url)
    if landing.is_empty():
        log.warning(f"source {source.kind} '{source.name}' at {source.uri} is missing or empty; skipped")
        return None
    return landing
