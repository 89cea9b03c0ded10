"""Request volume by tenant and feature (Prometheus query_range JSON or CSV) → raw.request_counts (+ raw.request_counts_quarantine)."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.lookback import place, read_with_lookback
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days, source_files
from dagster_project.lib.touched_days import record_touched_days
from dagster_project.lib.warehouse import replace_days
from ingest import request_counts as rq
from ingest.schemas import REQUEST_COUNTS, REQUEST_COUNTS_QUARANTINE, empty

PARSERS = {"json": rq.parse_prometheus_query_range, "csv": rq.parse_requests_csv}


def _read(files: list[tuple], folders: set, lookback_days: int) -> dict[int, tuple]:
    """Per file index (key order) of the files of `folders`: (its day, its samples within their day's files, the
    others with their reason: late_beyond_lookback / early_beyond_lookback, lib/lookback.py)."""
    out = {}
    for i, (landing, key, day, parse) in enumerate(files):
        if day in folders:
            placed = place(parse(landing.read_bytes(key), landing.describe(key)), day, lookback_days)
            within = placed["lookback"].is_null()
            out[i] = (day, placed.filter(within).drop("lookback"),
                      placed.filter(~within).rename({"lookback": "reason"}))
    return out


def requests(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """A sample at t covers (t − 1h, t] and belongs to the day of t − 1h. A day's run reads the files of the days
    d − 1 … d + lookback_days and re-materializes any earlier day it finds samples of; a sample outside its day's
    files is counted (`late_beyond_lookback`, `early_beyond_lookback`) and left out."""
    cfg = unitcost.config
    days = run_days(context)
    files = []
    for landing, key in source_files(cfg, "requests", context.log):
        stem, _, ext = key.rpartition(".")
        try:
            day = date.fromisoformat(stem)
        except ValueError:
            continue
        if ext in PARSERS:
            files.append((landing, key, day, PARSERS[ext]))
    written, earlier, read = read_with_lookback(
        lambda folders: _read(files, folders, cfg.lookback_days), days, cfg.lookback_days, cfg.start_date)
    samples = pl.concat([empty(REQUEST_COUNTS), *(within for within, _ in read)])
    outside = pl.concat([empty(REQUEST_COUNTS_QUARANTINE), *(o for _, o in read)]).filter(
        pl.col("usage_date").is_in(written))
    with duckdb.get_connection() as con:
        counts = replace_days(con, "request_counts", REQUEST_COUNTS, "usage_date", written, samples)
        q_counts = replace_days(con, "request_counts_quarantine", REQUEST_COUNTS_QUARANTINE, "usage_date", written,
                                outside)
        record_touched_days(con, context.run.run_id, "request_counts", written)
    if outside.height:
        context.log.warning(f"request counts: {outside.height} samples outside their day's files quarantined "
                            f"(lookback_days {cfg.lookback_days})")
    yield materialized("request_counts", rows_per_day=counts, rematerialized_days=[str(d) for d in earlier])
    yield materialized("request_counts_quarantine", quarantined_per_day=q_counts, quarantined=outside.height,
                       by_reason=dict(outside.group_by("reason").len().sort("reason").iter_rows()))


def request_count_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return raw_multi_asset(requests, ("request_counts", "request_counts_quarantine"), partitions)
