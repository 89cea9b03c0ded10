"""The hand-computed dbt unit tests of the analyst marts, each in its folder's YAML (dbt/models/marts/margins/,
plans/, anomalies/, budgets/): a margin with a partial month, the waterfall steps summing to the margin change, the
subsidy split, plan unit costs, the anomaly thresholds (exactly 1.5 x is not an alert, one nano-dollar more is;
exactly 4 x is an alert, one more is a kill switch; nothing under the spend floor) and the budget projection. They
pass in `dbt build`, and move a threshold and the tests that pin it fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.bill_deliveries import ensure_bill_tables
from dagster_project.lib.warehouse import ensure_table
from ingest.llm.prices import LLM_MODEL_RESOLUTION, LLM_PRICE_SNAPSHOT
from ingest.schemas import RAW_TABLES

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
MART_UNIT_TESTS = {
    "partial_month_is_compared_with_mrr_prorated_to_its_built_days": "pass",
    "waterfall_steps_sum_exactly_to_the_margin_change": "pass",
    "losses_of_loss_making_plans_are_split_exactly_over_the_profitable_ones": "pass",
    "plan_unit_costs_scale_a_partial_month_and_take_the_middle_tenant": "pass",
    "anomaly_thresholds_are_exact_and_unbuilt_days_are_never_zero": "pass",
    "budget_projection_counts_unbuilt_days_at_the_run_rate": "pass",
}
MARTS = "+tenant_gross_margin_monthly+ +cost_anomalies +budget_burn_quarterly"


def dbt(tmp_path: Path, warehouse: Path, *args: str, **dbt_vars) -> dict[str, str]:
    """Run dbt on `warehouse`; the status of each unit test it ran."""
    exe = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(exe), *args, "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars", json.dumps({"duckdb_path": str(warehouse), **dbt_vars})],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=900,
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """An empty warehouse: unit tests read their inputs' column types from the built relations."""
    path = tmp_path_factory.mktemp("marts_dbt") / "unit.duckdb"
    with duckdb.connect(str(path)) as con:
        for table, schema in {**RAW_TABLES, "llm_price_snapshot": LLM_PRICE_SNAPSHOT,
                              "llm_model_resolution": LLM_MODEL_RESOLUTION}.items():
            ensure_table(con, table, schema)
        ensure_bill_tables(con)
    return path


def test_mart_unit_tests_pass_in_dbt_build(tmp_path, warehouse):
    statuses = dbt(tmp_path, warehouse, "build", "--select", MARTS)
    assert {name: statuses.get(name) for name in MART_UNIT_TESTS} == MART_UNIT_TESTS


def test_moving_a_threshold_fails_the_unit_tests_that_pin_it(tmp_path, warehouse):
    # 1.4 x flags tenant a (exactly 1.5 x); a 97 % at-risk share puts search (95.8 % of its budget) on track
    statuses = dbt(tmp_path, warehouse, "build", "--select", "+cost_anomalies +budget_burn_quarterly",
                   anomaly_alert_ratio="1.4", budget_at_risk_share="0.97")
    assert statuses["anomaly_thresholds_are_exact_and_unbuilt_days_are_never_zero"] == "fail"
    assert statuses["budget_projection_counts_unbuilt_days_at_the_run_rate"] == "fail"
