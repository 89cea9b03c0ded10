"""The pipeline's own cost (lib/run_steps.py, marts.pipeline_runs): every step of a run is recorded in
raw.pipeline_run_steps by the daily job's hooks, a failed step too, with its wall time and the raw rows it replaced;
the mart sums a run's steps and prices its billed bytes at warehouse.price_per_tib_usd, to the nano-dollar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.run_steps import PIPELINE_RUN_STEPS, STEP_HOOKS, count_bytes, take_tally
from dagster_project.lib.warehouse import replace_rows

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
TIB = 2**40


def _config(tmp_path: Path, extra: str = "") -> UnitcostConfigResource:
    path = tmp_path / "unitcost.yaml"
    path.write_text(f"start_date: 2026-01-01\nwarehouse: {{path: w.duckdb{extra}}}\n")
    return UnitcostConfigResource(path=str(path))


def test_each_step_is_recorded_failed_ones_too(tmp_path):
    take_tally()  # nothing counted by an earlier test of this process

    @dg.asset
    def loads_three_rows(unitcost: UnitcostConfigResource):
        with duckdb.connect(str(unitcost.config.warehouse_path)) as con:
            replace_rows(con, "things", {"n": pl.Int64}, {}, pl.DataFrame({"n": [1, 2, 3]}))

    @dg.asset(deps=[loads_three_rows])
    def breaks(unitcost: UnitcostConfigResource):
        count_bytes(10, 20)
        raise RuntimeError("this step fails")

    resource = _config(tmp_path)
    job = dg.define_asset_job("steps", hooks=STEP_HOOKS)
    defs = dg.Definitions(assets=[loads_three_rows, breaks], jobs=[job], resources={"unitcost": resource})
    result = defs.resolve_job_def("steps").execute_in_process(raise_on_error=False)
    assert not result.success
    with duckdb.connect(str(resource.config.warehouse_path), read_only=True) as con:
        rows = con.execute("select run_id, step, status, engine, rows_loaded, bytes_processed, bytes_billed, "
                           "wall_seconds >= 0, finished_at >= started_at from raw.pipeline_run_steps "
                           "order by started_at").fetchall()
    assert rows == [
        (result.run_id, "loads_three_rows", "succeeded", "duckdb", 3, None, None, True, True),
        (result.run_id, "breaks", "failed", "duckdb", 0, 10, 20, True, True),
    ]


def _dbt_build_pipeline_runs(tmp_path: Path, warehouse: Path, dbt_vars: dict) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", json.dumps({"duckdb_path": str(warehouse), **dbt_vars}), "--select", "pipeline_runs"],
        cwd=DBT_DIR, env={**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def _step(run_id, step, status, start_s, end_s, rows, processed, billed):
    at = lambda s: datetime(2026, 1, 1, 6, 0, s, tzinfo=timezone.utc)  # noqa: E731
    return {"run_id": run_id, "step": step, "status": status, "engine": "bigquery", "started_at": at(start_s),
            "finished_at": at(end_s), "wall_seconds": float(end_s - start_s), "rows_loaded": rows,
            "bytes_processed": processed, "bytes_billed": billed}


def test_the_mart_sums_a_run_and_prices_its_billed_bytes(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    # no step recorded yet: the mart builds, empty
    duckdb.connect(str(warehouse)).close()
    _dbt_build_pipeline_runs(tmp_path, warehouse, {})
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select count(*) from marts.pipeline_runs").fetchone() == (0,)
        steps = pl.DataFrame([
            _step("a", "raw", "succeeded", 0, 2, 100, 5, None),
            _step("a", "dbt", "succeeded", 2, 9, 0, 3 * TIB, 3 * TIB + 1),  # 1 byte more: 5.7e-12 USD, truncated
            _step("b", "raw", "succeeded", 0, 1, 7, None, TIB // 1000),
            _step("b", "checks", "failed", 1, 4, 0, None, None),
            _step("now", "raw", "succeeded", 0, 1, 1, 1, TIB),  # the run building the mart: left out
        ], schema=PIPELINE_RUN_STEPS)
        replace_rows(con, "pipeline_run_steps", PIPELINE_RUN_STEPS, {}, steps)
    _dbt_build_pipeline_runs(tmp_path, warehouse, {"current_run_id": "now", "price_per_tib_usd": "6.25"})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute("select run_id, status, steps, failed_steps, elapsed_seconds, step_seconds, rows_loaded, "
                          "bytes_processed, bytes_billed, estimated_cost_usd from marts.pipeline_runs "
                          "order by run_id").fetchall()
    assert got == [
        ("a", "succeeded", 2, 0, 9, 9.0, 100, 3 * TIB + 5, 3 * TIB + 1, Decimal("18.750000000")),
        # 1099511627 bytes x 6.25 / 2^40 = 0.006249999997... -> 0.006249999 (truncated to the nano-dollar)
        ("b", "failed", 2, 1, 4, 4.0, 7, None, TIB // 1000, Decimal("0.006249999")),
    ]


def test_the_daily_job_records_its_steps():
    from dagster_project.definitions import build_definitions
    from dagster_project.defs.schedules import DAILY_JOB

    job = build_definitions(UnitcostConfigResource()).resolve_job_def(DAILY_JOB)
    assert STEP_HOOKS <= set(job.hook_defs)
