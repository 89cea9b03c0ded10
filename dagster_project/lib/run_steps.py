"""What the pipeline itself costs: one row per run and step in raw.pipeline_run_steps (marts.pipeline_runs sums
them per run; README.md, Running on BigQuery).

While a step runs, the writers add to this process's tally: the raw rows they replaced (lib/warehouse.py, the bill
loader), and on BigQuery the bytes each load, query and copy job processed and billed (lib/warehouse_bigquery.py,
lib/warehouse_engines.py) and dbt's own bytes from run_results.json (defs/dbt/assets.py). When the step ends, a
Dagster hook on the daily job (success or failure: a failed step of a failed run is recorded too) writes the row:
its wall time since the step's start event, the tally, and whether it succeeded. Hooks run in the step's own
process, under execute_in_process and under the daemon's run workers alike, so each tally is the step's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

import dagster as dg
import polars as pl

STEPS_TABLE = "pipeline_run_steps"
PIPELINE_RUN_STEPS: dict[str, pl.DataType] = {
    "run_id": pl.String,
    "step": pl.String,  # the Dagster step key (an asset, multi-asset or check op)
    "status": pl.String,  # succeeded or failed
    "engine": pl.String,  # duckdb or bigquery
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "wall_seconds": pl.Float64,
    "rows_loaded": pl.Int64,
    "bytes_processed": pl.Int64,  # null on DuckDB
    "bytes_billed": pl.Int64,  # null on DuckDB
}


@dataclass
class _Tally:
    rows: int = 0
    bytes_processed: int | None = None
    bytes_billed: int | None = None


_TALLY = _Tally()


def count_rows(rows: int) -> None:
    """The current step replaced `rows` raw rows."""
    _TALLY.rows += int(rows)


def count_bytes(processed: int | None, billed: int | None) -> None:
    """A warehouse job of the current step processed and billed these bytes (None: not reported)."""
    if processed is not None:
        _TALLY.bytes_processed = (_TALLY.bytes_processed or 0) + int(processed)
    if billed is not None:
        _TALLY.bytes_billed = (_TALLY.bytes_billed or 0) + int(billed)


def take_tally() -> _Tally:
    """The tally so far, and a fresh one for the next step of this process."""
    global _TALLY
    taken, _TALLY = _TALLY, _Tally()
    return taken


def _step_started(context: dg.HookContext) -> datetime | None:
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.STEP_START).records
    times = [r.event_log_entry.timestamp for r in records if r.event_log_entry.step_key == context.step_key]
    return datetime.fromtimestamp(max(times), timezone.utc) if times else None


def step_row(context: dg.HookContext, status: str, engine: str) -> dict:
    tally = take_tally()
    finished = datetime.now(timezone.utc)
    started = _step_started(context) or finished
    return {"run_id": context.run_id, "step": context.step_key, "status": status, "engine": engine,
            "started_at": started, "finished_at": finished,
            "wall_seconds": round((finished - started).total_seconds(), 3), "rows_loaded": tally.rows,
            "bytes_processed": tally.bytes_processed, "bytes_billed": tally.bytes_billed}


def record_step(database: str, row: dict, attempts: int = 20) -> None:
    """Append one step's row to raw.pipeline_run_steps of the DuckDB file (retried while another process of the
    run holds the file's write lock)."""
    import duckdb

    from dagster_project.lib import warehouse_session
    from dagster_project.lib.warehouse import RAW_SCHEMA, ensure_table

    frame = pl.DataFrame([row], schema=PIPELINE_RUN_STEPS)
    for attempt in range(attempts):
        try:
            with warehouse_session.connect(database) as con:
                ensure_table(con, STEPS_TABLE, PIPELINE_RUN_STEPS)
                con.register("_unitcost_step", frame.to_arrow())
                con.execute(f"insert into {RAW_SCHEMA}.{STEPS_TABLE} by name select * from _unitcost_step")
            return
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


def _record(context: dg.HookContext, status: str) -> None:
    from dagster_project.lib.warehouse_engines import warehouse_engine

    config = context.resources.unitcost.config
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        record_step(str(config.warehouse_path), step_row(context, status, warehouse_engine(config).name))
    except Exception as exc:  # the run's own cost is bookkeeping: never fail a step for it
        context.log.warning(f"{STEPS_TABLE}: step {context.step_key} not recorded: {exc}")


@dg.success_hook(name="record_step_succeeded", required_resource_keys={"unitcost"})
def record_step_succeeded(context: dg.HookContext) -> None:
    _record(context, "succeeded")


@dg.failure_hook(name="record_step_failed", required_resource_keys={"unitcost"})
def record_step_failed(context: dg.HookContext) -> None:
    _record(context, "failed")


STEP_HOOKS = {record_step_succeeded, record_step_failed}
