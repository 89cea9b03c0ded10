"""What every raw asset shares: its specs and run policy, the days a run covers, and where a source's files are."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import dagster as dg

from dagster_project.lib.config import UnitcostConfig
from ingest.landing import Landing

RAW_GROUP = "raw"


def raw_multi_asset(
    fn: Callable,
    tables: tuple[str, ...],
    partitions: dg.PartitionsDefinition,
    deps: tuple[dg.AssetKey, ...] = (),
) -> dg.AssetsDefinition:
    """`fn` as the multi-asset that writes raw.<table> for each of `tables` (keys raw/<table>, as the dbt sources
    name them), on the daily partitions, as single-run backfills."""
    return dg.multi_asset(
        name=fn.__name__,
        specs=[
            dg.AssetSpec(key=[RAW_GROUP, t], group_name=RAW_GROUP, kinds={"polars", "duckdb"}, deps=list(deps),
                         description=(fn.__doc__ or "").strip().split("\n\n")[0] or None)
            for t in tables
        ],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        # DuckDB takes one writer per file: every step that writes the warehouse shares this pool
        pool="warehouse_writer",
    )(fn)


def materialized(table: str, **metadata) -> dg.MaterializeResult:
    return dg.MaterializeResult(asset_key=[RAW_GROUP, table], metadata=metadata)


def run_days(context: dg.AssetExecutionContext) -> list[date]:
    """The days of this run's partition key range (one key for a daily run, many for a single-run backfill)."""
    return [date.fromisoformat(k) for k in context.partition_keys]


def open_landing(source, log) -> Landing | None:
    """The source's landing zone, or None (with a warning) when it is missing or empty: a company without that
    source still gets its ledger from the others."""
    landing = Landing(source.uri, endpoint_url=source.endpoint_url)
    if landing.is_empty():
        log.warning(f"source {source.kind} '{source.name}' at {source.uri} is missing or empty; skipped")
        return None
    return landing


def source_files(config: UnitcostConfig, kind: str, log) -> Iterator[tuple[Landing, str]]:
    """Every (landing, key) of every configured source of `kind`, in key order per source."""
    for source in config.sources_of(kind):
        landing = open_landing(source, log)
        if landing is None:
            continue
        for key in landing.list():  # sorted
            yield landing, key
