"""Request volume by tenant and feature (Prometheus query_range JSON or CSV) → raw.request_counts (+ raw.request_counts_quarantine)."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.lookback import earlier_days, folders_of, place
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days, source_files
from dagster_project.lib.touched_days import record_touched_days
from dagster_project.lib.warehouse import replace_days
from ingest import request_counts as rq
from ingest.schemas import REQUEST_COUNTS, REQUEST_COUNTS_QUARANTINE, empty

PARSERS = {"json": rq.parse_prometheus_query_range, "csv": rq.parse_requests_csv}


def _read(files: list[tuple], folders: set, lookback_days: int) -> dict[int, pl.DataFrame]:
    """Per file index (key order) of the files of `folders`: its samples, each marked where it stands
    (lib/lookback.py: null within its day's files, else late_beyond_lookback / early_beyond_lookback)."""
    out = {}
    for i, (landing, key, day, parse) in enumerate(files):
        if day in folders:
            out[i] = place(parse(landing.read_bytes(key), landing.describe(key)), day, lookback_days)
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
    read = _read(files, folders_of(days, cfg.lookback_days), cfg.lookback_days)
    within = pl.col("lookback").is_null()
    earlier = earlier_days(((files[i][2], f.filter(within)) for i, f in read.items()), days, cfg.start_date)
    read |= _read(files, folders_of(earlier, cfg.lookback_days) - folders_of(days, cfg.lookback_days),
                  cfg.lookback_days)
    written = sorted({*days, *earlier})
    df = pl.concat([empty(REQUEST_COUNTS).with_columns(lookback=pl.lit(None, pl.String)),
                    *(read[i] for i in sorted(read))])
    outside = df.filter(~within & pl.col("usage_date").is_in(written)).rename({"lookback": "reason"})
    with duckdb.get_connection() as con:
        counts = replace_days(con, "request_counts", REQUEST_COUNTS, "usage_date", written, df.filter(within))
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
