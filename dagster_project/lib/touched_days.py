"""The days a run touched: one record every raw asset writes and the dbt run window reads (docs/allocation.md, Time).

A run's own partitions are not always the days it changes: a restated bill changes every day of its month, a late
LLM call re-materializes its own earlier day. Each raw asset records the first and last day whose raw rows it
replaced (or, for the bill, validated); the dbt run rebuilds the ledger over all of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

import duckdb
import polars as pl

from dagster_project.lib.warehouse import RAW_SCHEMA, ensure_table

TOUCHED_TABLE = "run_touched_days"
RUN_TOUCHED_DAYS: dict[str, pl.DataType] = {
    "run_id": pl.String,
    "asset": pl.String,  # the raw asset (or check) that touched the days
    "first_day": pl.Date,
    "last_day": pl.Date,
    "recorded_at": pl.Datetime("us", "UTC"),
}


def record_touched_days(con: duckdb.DuckDBPyConnection, run_id: str, asset: str, days: Iterable[date | None]) -> None:
    """Remember that `asset` replaced the raw rows of `days` in run `run_id` (nothing when `days` is empty)."""
    known = [d for d in days if d is not None]
    if not known:
        return
    ensure_table(con, TOUCHED_TABLE, RUN_TOUCHED_DAYS)
    con.execute(
        f"insert into {RAW_SCHEMA}.{TOUCHED_TABLE} values (?, ?, ?, ?, ?)",
        [run_id, asset, min(known), max(known), datetime.now(timezone.utc)],
    )


def days_touched(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[date | None, date | None]:
    """The first and last day any asset of run `run_id` touched; (None, None) when none recorded any."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, TOUCHED_TABLE],
    ).fetchone()[0]
    if not exists:
        return None, None
    return con.execute(
        f"select min(first_day), max(last_day) from {RAW_SCHEMA}.{TOUCHED_TABLE} where run_id = ?", [run_id]
    ).fetchone()
