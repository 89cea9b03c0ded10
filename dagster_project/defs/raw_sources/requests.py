"""Request volume by tenant and feature (Prometheus query_range JSON or CSV) → raw.request_counts."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs, run_days, with_neighbours
from dagster_project.lib.warehouse import replace_days
from ingest import request_counts as rq
from ingest.schemas import REQUEST_COUNTS, empty


@dg.multi_asset(specs=raw_specs("request_counts"), partitions_def=daily_partitions(), **RAW_ASSET_KW)
def requests(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """A sample at t covers (t − 1h, t] and belongs to the day of t − 1h, so a day's run also reads the files of
    the days next to it and keeps only its own samples."""
    days = run_days(context)
    wanted = with_neighbours(days)
    frames = [empty(REQUEST_COUNTS)]
    for source in project_config().sources_of("requests"):
        landing = open_landing(source, context.log)
        if landing is None:
            continue
        for key in landing.list():
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
