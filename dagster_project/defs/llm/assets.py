"""LLM usage logs and cost reports → raw.llm_events (+ raw.llm_events_quarantine) and raw.llm_cost_reports, and the
price snapshot they are priced with. Landing layout: docs/landing-zone.md (LLM usage)."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.llm.staging import CallStage
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib import progress
from dagster_project.lib.lookback import read_with_lookback
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days, source_files
from dagster_project.lib.touched_days import record_touched_days
from dagster_project.lib.warehouse import ensure_table, replace_days, replace_rows
from ingest.llm.cost_reports import parse_anthropic_cost_report, parse_openai_costs_page
from ingest.llm.litellm import parse_litellm_spend_logs
from ingest.llm.native import parse_native_jsonl
from ingest.llm.native_stream import iter_native_jsonl, open_stream
from ingest.llm.pages import keep_latest
from ingest.llm.prices import resolve_models, snapshot_price_table
from ingest.llm.usage_pages import parse_anthropic_usage_page, parse_openai_usage_page
from ingest.schemas import (
    LLM_COST_REPORTS,
    LLM_EVENTS,
    LLM_EVENTS_QUARANTINE,
    LLM_KEY_OWNERS,
    LLM_PRICE_OVERRIDES,
    conform,
    empty,
)

# folder under the llm URI -> parser; usage pages give (events, quarantine), cost pages one frame
USAGE_PAGES = {
    "openai_usage": parse_openai_usage_page,
    "anthropic_usage": parse_anthropic_usage_page,
}
COST_PAGES = {
    "openai_costs": parse_openai_costs_page,
    "anthropic_costs": parse_anthropic_cost_report,
}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _call_files(config, log) -> tuple[list[tuple], list[tuple]]:
    """Every call-log file as (landing, key, arrival folder day, parser), and every API page as (landing, key,
    folder), in key order per source."""
    calls, pages = [], []
    for landing, key in source_files(config, "llm", log):
        parts = key.split("/")
        folder = parts[0]
        if folder in USAGE_PAGES or folder in COST_PAGES:
            if key.endswith(".json"):
                pages.append((landing, key, folder))
        elif folder == "litellm" and len(parts) > 2 and _day(parts[1]) and key.endswith((".json", ".csv")):
            calls.append((landing, key, _day(parts[1]), parse_litellm_spend_logs))
        elif _day(folder) and len(parts) > 1 and key.endswith(".jsonl"):
            calls.append((landing, key, _day(folder), parse_native_jsonl))
    return calls, pages


def _batches(landing, key: str, parse):
    """(events, quarantined) per bounded batch of a call-log file: native JSONL streams, a LiteLLM export is one."""
    if parse is parse_native_jsonl:
        with open_stream(landing, key) as stream:
            yield from iter_native_jsonl(stream, landing.describe(key))
    else:
        yield parse(landing.read_bytes(key), landing.describe(key))


def _read_calls(files: list[tuple], folders: set, lookback_days: int, stage: CallStage,
                on_file=lambda done, total: None) -> dict[int, tuple]:
    """Stage every file in `folders` (staging.py: placed by the lookback, batch by batch). Returns per file index
    (key order): (its folder's day, the days of its calls within their lookback)."""
    out = {}
    wanted = sum(1 for *_, folder, _parse in files if folder in folders)
    for i, (landing, key, folder, parse) in enumerate(files):
        if folder not in folders:
            continue
        on_file(len(out), wanted)
        days = [stage.add(i, n, folder, lookback_days, ok, bad)
                for n, (ok, bad) in enumerate(_batches(landing, key, parse))]
        out[i] = (folder, pl.concat([pl.DataFrame(schema={"usage_date": pl.Date}), *days]).unique())
    on_file(len(out), wanted)
    return out


def llm_events(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """Call-level logs (native JSONL under `<YYYY-MM-DD>/`, LiteLLM exports under `litellm/<YYYY-MM-DD>/`) belong to
    the UTC day of their own timestamp: a day's run reads the folders d − 1 … d + lookback_days and re-materializes
    any earlier day it finds calls of there; a call outside its day's folders is quarantined
    (`late_beyond_lookback`); an event id seen twice is kept once and the copy quarantined. API pages
    (`openai_usage/`, `anthropic_usage/`, `openai_costs/`, `anthropic_costs/`) span many days: every page is read
    and the run's days kept; a bucket a later page (by file name) has again replaces the earlier copy. Call logs are
    read in bounded batches and staged in DuckDB (staging.py), so memory does not grow with their size."""
    cfg = unitcost.config
    days = run_days(context)
    files, pages = _call_files(cfg, context.log)
    usage_pages, usage_bad = [empty(LLM_EVENTS)], [empty(LLM_EVENTS_QUARANTINE)]
    cost_pages = [empty(LLM_COST_REPORTS)]
    for landing, key, folder in pages:
        if folder in USAGE_PAGES:
            ok, bad = USAGE_PAGES[folder](landing.read_bytes(key), landing.describe(key))
            usage_pages.append(ok)
            usage_bad.append(bad)
        else:
            cost_pages.append(COST_PAGES[folder](landing.read_bytes(key), landing.describe(key)))
    usage, restated = keep_latest(usage_pages, "event_id")
    page_bad = pl.concat([*usage_bad, conform(restated.with_columns(reason=pl.lit("duplicate_event_id")),
                                              LLM_EVENTS_QUARANTINE)])
    costs, restated_costs = keep_latest(cost_pages, "report_row_id")
    with duckdb.get_connection() as con:
        stage = CallStage(con)
        try:
            written, earlier, _ = read_with_lookback(
                lambda folders: _read_calls(
                    files, folders, cfg.lookback_days, stage,
                    lambda done, total: progress.count(context, "llm_events", done, total, "files")),
                days, cfg.lookback_days, cfg.start_date)
            counts, q_counts = stage.swap(written, usage, page_bad)
        finally:
            stage.close()
        c_counts = replace_days(con, "llm_cost_reports", LLM_COST_REPORTS, "usage_date", written, costs)
        record_touched_days(con, context.run.run_id, "llm_events", written)
        by_format = dict(con.execute(
            "select source_format, count(*) from raw.llm_events where usage_date in (select unnest(?::date[])) "
            "group by 1 order by 1", [written]).fetchall())
        by_reason = dict(con.execute(
            "select reason, count(*) from raw.llm_events_quarantine where usage_date in (select unnest(?::date[])) "
            "group by 1 order by 1", [written]).fetchall())
    in_run = pl.col("usage_date").is_in(written)
    yield materialized("llm_events", events_per_day=counts, rematerialized_days=[str(d) for d in earlier],
                       by_format=by_format)
    yield materialized("llm_events_quarantine", quarantined_per_day=q_counts, quarantined=sum(q_counts.values()),
                       by_reason=by_reason)
    yield materialized(
        "llm_cost_reports", rows_per_day=c_counts, restated_rows=restated_costs.filter(in_run).height,
    )


def llm_price_snapshot(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """genai-prices' bundled price data as an effective-dated table, and every logged model string resolved to
    a price model once (never per call). The SQL pricing joins both."""
    prices, snapshot_id = snapshot_price_table()
    with duckdb.get_connection() as con:
        ensure_table(con, "llm_events", LLM_EVENTS)
        # optional business files (llm_key_owners.csv, price_overrides.csv): dbt reads these tables even when a
        # company has none, so they exist, empty, until the business asset loads a file
        ensure_table(con, "llm_key_owners", LLM_KEY_OWNERS)
        ensure_table(con, "llm_price_overrides", LLM_PRICE_OVERRIDES)
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
    unknown = resolution.filter(pl.col("price_model_id").is_null())
    yield materialized("llm_price_snapshot", snapshot_id=snapshot_id, price_rows=prices.height)
    # named, not only counted: a call of one of these is priced by price_overrides.csv or stops the run
    names = sorted(f"{p or '?'}/{m}" for p, m in unknown.select("provider_name", "model_string").iter_rows())
    yield materialized("llm_model_resolution", model_strings=resolution.height, unknown_model_strings=unknown.height,
                       unknown_models=names[:50])


def llm_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [
        raw_multi_asset(llm_events, ("llm_events", "llm_events_quarantine", "llm_cost_reports"), partitions),
        raw_multi_asset(llm_price_snapshot, ("llm_price_snapshot", "llm_model_resolution"), partitions,
                        deps=(dg.AssetKey(["raw", "llm_events"]),)),
    ]
