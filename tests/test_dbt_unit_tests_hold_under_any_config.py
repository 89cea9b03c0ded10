"""Every dbt unit test runs inside every production `dbt build`, so none may depend on the company's own settings:
each pins the vars it computes with (window, owner keys, anomaly thresholds). Built here under a config unlike the
default in every such var, every unit test of the project still passes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml
from dbt_build import dbt_build_unit_tests

from dagster_project.lib.bill_deliveries import ensure_bill_tables
from dagster_project.lib.warehouse import ensure_table
from ingest.llm.prices import LLM_MODEL_RESOLUTION, LLM_PRICE_SNAPSHOT
from ingest.schemas import RAW_TABLES

MODELS = Path(__file__).resolve().parents[1] / "dbt" / "models"

UNLIKE_THE_DEFAULT = {
    "start_date": "2027-03-05", "end_date": "2027-03-05",
    "tenant_tag": ["x_customer"], "feature_tag": ["x_product"],
    "tenant_label": ["example.com/customer"], "feature_label": ["example.com/product"],
    "anomaly_alert_ratio": "2", "anomaly_kill_switch_ratio": "9", "anomaly_min_daily_usd": "50",
}


def test_every_dbt_unit_test_passes_whatever_the_companys_config(tmp_path):
    warehouse = tmp_path / "unit.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # unit tests read their inputs' column types from the relations
        for table, schema in {**RAW_TABLES, "llm_price_snapshot": LLM_PRICE_SNAPSHOT,
                              "llm_model_resolution": LLM_MODEL_RESOLUTION}.items():
            ensure_table(con, table, schema)
        ensure_bill_tables(con)
    unit = dbt_build_unit_tests(tmp_path, warehouse, "fqn:*", UNLIKE_THE_DEFAULT)
    defined = {test["name"] for path in MODELS.rglob("*.yml")
               for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])}
    assert unit == {name: "pass" for name in defined}
