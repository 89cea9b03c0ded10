"""The LLM call logs of a run, staged in DuckDB batch by batch, then swapped into their raw day partitions at once.

A run may read gigabytes of call logs; only one batch of a file (ingest/llm/native_stream.py) is in Python's memory
at a time. Each batch's rows go to a temporary table of the run's connection (DuckDB spills it to disk beyond its
memory_limit) with where they came from: the file's index in key order and the row's order in the file. The rules
that need every batch are then SQL over that table, giving what the in-memory reading gave:

- a call whose ``event_id`` an earlier batch of the same file had (valid or not) is ``duplicate_event_id``
  (native.py decides it within a batch);
- a call outside its day's folders keeps its lookback reason (lib/lookback.py);
- of the remaining calls with one ``event_id``, the first in key order is kept and the others are
  ``duplicate_event_id``.

`swap` then replaces the run's days of raw.llm_events and raw.llm_events_quarantine in one transaction, with the
API pages' rows beside the calls: a failure leaves both tables as they were."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from dagster_project.lib.lookback import place
from dagster_project.lib.run_steps import count_rows
from dagster_project.lib.warehouse import RAW_SCHEMA, ensure_table
from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE, conform

STAGE = "_unitcost_llm_calls"  # a temporary table: gone with the connection
MARKED = "_unitcost_llm_marked"
_ORIGIN = {"file_index": pl.Int32, "row_order": pl.Int64, "lookback": pl.String}
STAGED = {**LLM_EVENTS_QUARANTINE, **_ORIGIN}
_BATCH_SHIFT = 32  # row_order = batch number << 32 | row within the batch


class CallStage:
    """The run's staged calls on `con`; `add` a parsed batch, `days_of` a file's, then `swap`."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        con.register("_unitcost_empty", pl.DataFrame(schema=STAGED).to_arrow())
        try:
            con.execute(f"create or replace temp table {STAGE} as select * from _unitcost_empty limit 0")
        finally:
            con.unregister("_unitcost_empty")

    def add(self, file_index: int, batch: int, folder: date, lookback_days: int,
            ok: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
        """Stage one batch of a file read from the folder of day `folder`: its calls placed by the lookback, its
        refused rows (a row without a usable timestamp under its folder's day). Returns the days of its calls that
        are within their lookback (one column, usage_date), for lib/lookback.py's earlier_days."""
        ok = place(ok, folder, lookback_days).with_columns(reason=pl.lit(None, pl.String))
        bad = place(bad.with_columns(pl.col("usage_date").fill_null(folder)), folder, lookback_days).with_columns(
            lookback=pl.lit(None, pl.String))
        rows = pl.concat([conform(ok, {**LLM_EVENTS_QUARANTINE, "lookback": pl.String}),
                          conform(bad, {**LLM_EVENTS_QUARANTINE, "lookback": pl.String})])
        rows = rows.with_columns(file_index=pl.lit(file_index, pl.Int32),
                                 row_order=(pl.lit(batch, pl.Int64) * (1 << _BATCH_SHIFT)) + pl.int_range(
                                     pl.len(), dtype=pl.Int64))
        if rows.height:
            self.con.register("_unitcost_llm_batch", rows.select(list(STAGED)).to_arrow())
            try:
                self.con.execute(f"insert into {STAGE} by name select * from _unitcost_llm_batch")
            finally:
                self.con.unregister("_unitcost_llm_batch")
        return ok.filter(pl.col("lookback").is_null()).select(pl.col("usage_date").unique())

    def _mark_duplicates(self) -> None:
        """The staged calls whose reason only all batches decide: the duplicates (few), as (file_index,
        row_order, reason)."""
        self.con.execute(f"""
            create or replace temp table {MARKED} as
            with in_file as (
                select file_index, row_order, event_id, reason, lookback,
                       row_number() over (partition by file_index, event_id order by row_order) as nth
                from {STAGE}
            ), first_reason as (
                select file_index, row_order, event_id,
                       coalesce(reason, case when event_id is not null and nth > 1 then 'duplicate_event_id' end,
                                lookback) as reason
                from in_file
            ), across as (
                select file_index, row_order, reason,
                       case when reason is null then row_number() over (
                           partition by event_id, reason is null order by file_index, row_order) end as nth
                from first_reason
            )
            select file_index, row_order, 'duplicate_event_id' as reason from across
            where nth > 1 or (reason = 'duplicate_event_id')
        """)

    def swap(self, days: list[date], pages: pl.DataFrame, page_bad: pl.DataFrame) -> tuple[dict, dict]:
        """Replace `days` of raw.llm_events and raw.llm_events_quarantine with the staged calls and the API pages'
        rows (`pages`, `page_bad`) of those days, in one transaction. Returns the rows per day of each."""
        con = self.con
        self._mark_duplicates()
        for table, schema in (("llm_events", LLM_EVENTS), ("llm_events_quarantine", LLM_EVENTS_QUARANTINE)):
            ensure_table(con, table, schema)
        reason = "coalesce(m.reason, s.reason, s.lookback)"
        source = (f"from {STAGE} s left join {MARKED} m using (file_index, row_order) "
                  "where s.usage_date in (select day from _unitcost_days)")
        events = ", ".join(f's."{c}"' for c in LLM_EVENTS)
        day_frame = pl.DataFrame({"day": days}, schema={"day": pl.Date})
        con.register("_unitcost_days", day_frame.to_arrow())
        wanted = {"llm_events": f"{reason} is null", "llm_events_quarantine": f"{reason} is not null"}
        page_rows = {"llm_events": (pages, LLM_EVENTS), "llm_events_quarantine": (page_bad, LLM_EVENTS_QUARANTINE)}
        try:
            # counted from the stage, before the transaction: a query over the transaction's own uncommitted rows
            # would pin them all in memory
            counts = {}
            for table, rows in wanted.items():
                per_day = dict(con.execute(f"select s.usage_date, count(*) {source} and {rows} group by 1").fetchall())
                frame, schema = page_rows[table]
                page_rows[table] = part = frame.filter(pl.col("usage_date").is_in(days)).select(list(schema))
                for day, n in part.group_by("usage_date").len().iter_rows():
                    per_day[day] = per_day.get(day, 0) + n
                counts[table] = {str(d): per_day.get(d, 0) for d in days}
            con.execute("begin transaction")
            try:
                for table in wanted:
                    con.execute(f"delete from {RAW_SCHEMA}.{table} "
                                "where usage_date in (select day from _unitcost_days)")
                con.execute(f"insert into {RAW_SCHEMA}.llm_events by name "
                            f"select {events} {source} and {wanted['llm_events']}")
                con.execute(f"insert into {RAW_SCHEMA}.llm_events_quarantine by name "
                            f"select {events}, {reason} as reason {source} and {wanted['llm_events_quarantine']}")
                for table, part in page_rows.items():
                    if part.height:
                        con.register("_unitcost_llm_pages", part.to_arrow())
                        try:
                            con.execute(f"insert into {RAW_SCHEMA}.{table} by name select * from _unitcost_llm_pages")
                        finally:
                            con.unregister("_unitcost_llm_pages")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            con.unregister("_unitcost_days")
        count_rows(sum(sum(c.values()) for c in counts.values()))
        return counts["llm_events"], counts["llm_events_quarantine"]

    def close(self) -> None:
        for table in (STAGE, MARKED):
            self.con.execute(f"drop table if exists {table}")
