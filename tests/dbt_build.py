"""`dbt build` of a selection against a DuckDB file, as the dbt unit-test modules run it: a project (the repo's own,
or a copy a test altered), its profiles, a target and log folder of the test's own, and the status of each unit test
that ran. `project_unit_tests` builds every unit test of the project once per test session under a config unlike
the default in every var the models read, so each area's test only checks its names in that one result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from dagster_project.lib.bill_deliveries import ensure_bill_tables
from dagster_project.lib.warehouse import ensure_table
from ingest.llm.prices import LLM_MODEL_RESOLUTION, LLM_PRICE_SNAPSHOT
from ingest.schemas import RAW_TABLES

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"

# every var a model reads, set unlike the default: a unit test must hold whatever `dbt build` a company runs it in,
# so none may depend on the company's own window, owner keys or thresholds (each pins the vars it computes with);
# the pipeline's own runs leave the unit tests to this suite (defs/dbt/assets.py BUILD_ARGS)
UNLIKE_THE_DEFAULT = {
    "start_date": "2027-03-05", "end_date": "2027-03-05",
    "tenant_tag": ["x_customer"], "feature_tag": ["x_product"],
    "tenant_label": ["example.com/customer"], "feature_label": ["example.com/product"],
    "anomaly_alert_ratio": "2", "anomaly_kill_switch_ratio": "9", "anomaly_min_daily_usd": "50",
    "budget_at_risk_share": "0.5",
}


def empty_warehouse(path: Path) -> Path:
    """A warehouse with every raw table, empty: dbt unit tests read their inputs' column types from the relations."""
    with duckdb.connect(str(path)) as con:
        for table, schema in {**RAW_TABLES, "llm_price_snapshot": LLM_PRICE_SNAPSHOT,
                              "llm_model_resolution": LLM_MODEL_RESOLUTION}.items():
            ensure_table(con, table, schema)
        ensure_bill_tables(con)
    return path


def dbt_build_unit_tests(tmp_path: Path, warehouse: Path, select: str, dbt_vars: dict | None = None,
                         project_dir: Path = DBT_DIR, check: bool = True) -> dict[str, str]:
    """Build `select` (models and unit tests; data tests excluded) into `warehouse` and return {unit test name:
    status}. With `check`, any error or failure fails the calling test."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(dbt), "build", "--project-dir", str(project_dir), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", json.dumps({"duckdb_path": str(warehouse), **(dbt_vars or {})}),
         "--select", select, "--exclude", "test_type:data"],
        cwd=project_dir, env=env, capture_output=True, text=True, timeout=900,
    )
    if check:
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


def defined_unit_tests(project_dir: Path = DBT_DIR) -> set[str]:
    """The names of every unit test the project's YAML defines."""
    return {test["name"] for path in (project_dir / "models").rglob("*.yml")
            for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])}
