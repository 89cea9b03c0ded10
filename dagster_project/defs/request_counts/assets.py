"""Request volume by tenant and feature (Prometheus query_range JSON or CSV) → raw.request_counts."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days, source_files, with_neighbours
from dagster_project.lib.warehouse import replace_days
from ingest import request_counts as rq
from ingest.schemas import REQUEST_COUNTS, empty


def requests(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """A sample at t covers (t − 1h, t] and belongs to the day of t − 1h, so a day's run also reads the files of
    the days next to it and keeps only its own samples."""
    days = run_days(context)
    wanted = with_neighbours(days)
    frames = [empty(REQUEST_COUNTS)]
    for landing, key in source_files(unitcost.config, "requests", context.log):
        stem, _, ext = key.rpartition(".")
        try:
            day = date.fromisoformat(stem)
        except ValueError:
            continue
        if day not in wanted:
            continue
        if ext == "json":
            frames.append(rq.parse_prometheus_query_range(landing.read_bytes(key), landing.describe(key)))
        elif ext == "csv":
            frames.append(rq.parse_requests_csv(landing.read_bytes(key), landing.describe(key)))
    df = pl.concat(frames)
    with duckdb.get_connection() as con:
        counts = replace_days(con, "request_counts", REQUEST_COUNTS, "usage_date", days, df)
    yield materialized("request_counts", rows_per_day=counts)


def request_count_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return raw_multi_asset(requests, ("request_counts",), partitions)
