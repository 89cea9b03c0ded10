"""LLM usage logs → raw.llm_events (+ raw.llm_events_quarantine), and the price snapshot they are priced with."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs, run_days, with_neighbours
from dagster_project.lib.warehouse import ensure_table, replace_days, replace_rows
from ingest import llm
from ingest.llm_prices import resolve_models, snapshot_price_table
from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE, conform, empty


def _folder_day(key: str) -> date | None:
    try:
        return date.fromisoformat(key.split("/", 1)[0])
    except ValueError:
        return None


@dg.multi_asset(
    specs=raw_specs("llm_events", "llm_events_quarantine"), partitions_def=daily_partitions(), **RAW_ASSET_KW
)
def llm_events(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Native JSONL under `<YYYY-MM-DD>/`. An event belongs to the UTC day of its own timestamp, so a day's run
    reads the folders of the days next to it too; an event id seen twice is kept once and the copy quarantined."""
    days = run_days(context)
    wanted = with_neighbours(days)
    events, quarantined = [empty(LLM_EVENTS)], [empty(LLM_EVENTS_QUARANTINE)]
    for source in project_config().sources_of("llm"):
        landing = open_landing(source, context.log)
        if landing is None:
            continue
        for key in landing.list():
            folder_day = _folder_day(key)
            if folder_day not in wanted or not key.endswith(".jsonl"):
                continue
            ok, bad = llm.parse_native_jsonl(landing.read_bytes(key), landing.describe(key))
            events.append(ok)
            # a refused row without a usable timestamp is kept under its folder's day
            quarantined.append(bad.with_columns(pl.col("usage_date").fill_null(folder_day)))
    all_events = pl.concat(events)
    first = all_events.select(pl.col("event_id").is_first_distinct()).to_series()
    duplicates = all_events.filter(~first).with_columns(reason=pl.lit("duplicate_event_id"))
    kept = all_events.filter(first)
    bad = pl.concat([pl.concat(quarantined), conform(duplicates, LLM_EVENTS_QUARANTINE)])
    with duckdb.get_connection() as con:
        counts = replace_days(con, "llm_events", LLM_EVENTS, "usage_date", days, kept)
        q_counts = replace_days(con, "llm_events_quarantine", LLM_EVENTS_QUARANTINE, "usage_date", days, bad)
    yield materialized("llm_events", events_per_day=counts)
    yield materialized("llm_events_quarantine", quarantined_per_day=q_counts, quarantined=sum(q_counts.values()))


@dg.multi_asset(
    specs=raw_specs("llm_price_snapshot", "llm_model_resolution", deps=[dg.AssetKey(["raw", "llm_events"])]),
    partitions_def=daily_partitions(),
    **RAW_ASSET_KW,
)
def llm_price_snapshot(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """genai-prices' bundled price data as an effective-dated table, and every logged model string resolved to
    a price model once (never per call). The SQL pricing joins both."""
    prices, snapshot_id = snapshot_price_table()
    with duckdb.get_connection() as con:
        ensure_table(con, "llm_events", LLM_EVENTS)
        replace_rows(con, "llm_price_snapshot", dict(prices.schema), {}, prices)
        # the SQL prices by the response model, else the request model: resolve every string of either
        pairs = con.execute(
            "select distinct lower(provider_name), model from ("
            " select provider_name, response_model as model from raw.llm_events"
            " union all select provider_name, request_model from raw.llm_events"
            ") where model is not null"
        ).fetchall()
        resolution = resolve_models([(p or "", m) for p, m in pairs])
        replace_rows(con, "llm_model_resolution", dict(resolution.schema), {}, resolution)
    unknown = resolution.filter(pl.col("price_model_id").is_null()).height
    yield materialized("llm_price_snapshot", snapshot_id=snapshot_id, price_rows=prices.height)
    yield materialized("llm_model_resolution", model_strings=resolution.height, unknown_model_strings=unknown)
