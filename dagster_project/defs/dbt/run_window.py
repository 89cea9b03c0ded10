"""The days one dbt run rebuilds: the run's partitions, widened to every day a raw asset of the run touched (a
restated bill's month, a late call's own day: lib/touched_days.py; docs/allocation.md, Time)."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import duckdb

from dagster_project.lib import warehouse_session
from dagster_project.lib.config import UnitcostConfig
from dagster_project.lib.touched_days import days_touched
from dagster_project.lib.warehouse_engines import warehouse_engine


def _built_days(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last day the ledger holds (None, None before the first build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'cost_ledger'"
    ).fetchone()[0]
    if not exists:
        return None, None
    return con.execute("select min(usage_date), max(usage_date) from marts.cost_ledger").fetchone()


def run_window(context: dg.AssetExecutionContext, config: UnitcostConfig) -> dict[str, str]:
    """The run's days, widened to every day its raw assets touched: the bill periods this run re-ingested (or
    validated after an earlier run loaded them) - a restated month rebuilds all of its ledger days, not only the
    run's - and the earlier days a late LLM call or request sample re-materialized.

    The widening stops at the config's start_date and at the days the ledger has already built (or the run's own,
    if further out): days never materialized are left for their own runs."""
    window = context.partition_time_window
    start, end = window.start.date(), (window.end - timedelta(days=1)).date()
    try:
        with warehouse_session.connect(config.warehouse_path) as con:
            first, last = days_touched(con, context.run.run_id)
            # on BigQuery the built ledger is there, not in this file (lib/warehouse_engines.py)
            built_first, built_last = warehouse_engine(config).built_days() or _built_days(con)
    except duckdb.Error as exc:  # an older warehouse without these columns: rebuild the run's days only
        context.log.warning(f"run window not widened to the days the run touched: {exc}")
        first = last = None
        built_first = built_last = None
    if first is not None:
        start = min(start, max(first, config.start_date, min(start, built_first or start)))
    if last is not None:
        end = max(end, min(last, max(end, built_last or end)))
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


RUN_WINDOW_TABLE = "raw.run_window"  # dbt/macros/partition_window.sql, macro run_window_table, names it too


def write_run_window(config: UnitcostConfig, window: dict[str, str], run_id: str) -> None:
    """The run's window and id as the one row of the control table dbt's models read on DuckDB (var
    run_window_table; dbt/macros/partition_window.sql), so they are not vars that would make dbt re-parse."""
    with warehouse_session.connect(config.warehouse_path) as con:
        con.execute("create schema if not exists raw")
        con.execute(f"create or replace table {RUN_WINDOW_TABLE} (start_date date not null, end_date date not null, "
                    "run_id varchar not null)")
        con.execute(f"insert into {RUN_WINDOW_TABLE} values (cast(? as date), cast(? as date), ?)",
                    [window["start_date"], window["end_date"], run_id])
