"""unitcost.yaml `warehouse:` for BigQuery: the settings it takes, the errors it names, what dbt receives."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.config import BigQueryConfig, parse_config
from dagster_project.lib.errors import ConfigError

BASE = {"start_date": "2026-01-01"}


def config(warehouse: dict):
    return parse_config({**BASE, "warehouse": warehouse}, Path("/tmp"), Path("/tmp/unitcost.yaml"))


def test_bigquery_settings_reach_dbt():
    cfg = config({"engine": "bigquery", "project": "acme-finops", "location": "EU", "dataset_prefix": "uc_",
                  "maximum_bytes_billed": 10_000_000_000})
    assert cfg.bigquery == BigQueryConfig(project="acme-finops", location="EU", dataset_prefix="uc_",
                                          maximum_bytes_billed=10_000_000_000)
    assert cfg.bigquery.dataset("marts") == "uc_marts"
    assert {k: v for k, v in cfg.dbt_vars().items() if k.startswith(("bq_", "dataset_"))} == {
        "dataset_prefix": "uc_", "bq_project": "acme-finops", "bq_location": "EU",
        "bq_maximum_bytes_billed": 10_000_000_000, "bq_api_endpoint": None}


def test_duckdb_stays_the_default_and_sends_dbt_no_bigquery_vars():
    cfg = config({})
    assert cfg.engine == "duckdb" and cfg.bigquery is None
    assert not [k for k in cfg.dbt_vars() if k.startswith(("bq_", "dataset_"))]


@pytest.mark.parametrize("warehouse, message", [
    ({"engine": "snowflake"}, "warehouse.engine 'snowflake' is not supported"),
    ({"engine": "bigquery"}, "warehouse.project"),
    ({"project": "acme"}, "warehouse.project is for engine: bigquery"),
    ({"engine": "bigquery", "project": "acme", "dataset_prefix": "uc-"}, "letters, digits and _"),
    ({"engine": "bigquery", "project": "acme", "maximum_bytes_billed": "lots"}, "whole number of bytes"),
    ({"engine": "bigquery", "project": "acme", "maximum_bytes_billed": 0}, "whole number of bytes"),
])
def test_bad_warehouse_settings_are_named(warehouse, message):
    with pytest.raises(ConfigError, match=message):
        config(warehouse)


def test_engine_bigquery_switches_the_dbt_target_and_the_engine(tmp_path):
    from dagster_project.defs.resources import UnitcostConfigResource, warehouse_resources
    from dagster_project.lib.warehouse_engines import BigQueryEngine, DuckDBEngine, warehouse_engine

    path = tmp_path / "unitcost.yaml"
    path.write_text("start_date: 2026-01-01\nwarehouse: {engine: bigquery, project: acme}\n")
    resource = UnitcostConfigResource(path=str(path))
    assert warehouse_resources(resource)["dbt"].target == "bigquery"
    assert isinstance(warehouse_engine(resource.config), BigQueryEngine)
    duck = tmp_path / "duck.yaml"
    duck.write_text("start_date: 2026-01-01\n")
    duck_resource = UnitcostConfigResource(path=str(duck))
    assert warehouse_resources(duck_resource)["dbt"].target is None  # the profile's default: duckdb, as before
    assert isinstance(warehouse_engine(duck_resource.config), DuckDBEngine)


def test_the_definitions_load_with_engine_bigquery(tmp_path):
    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import UnitcostConfigResource

    path = tmp_path / "unitcost.yaml"
    path.write_text("start_date: 2026-01-01\nwarehouse: {engine: bigquery, project: acme, price_per_tib_usd: 5}\n")
    resource = UnitcostConfigResource(path=str(path))
    definitions = build_definitions(resource)
    assert definitions.resolve_job_def("unitcost_daily") is not None
    assert resource.config.dbt_vars()["price_per_tib_usd"] == "5"


@pytest.mark.parametrize("price", ["-1", "lots"])
def test_a_bad_price_per_tib_is_named(price):
    with pytest.raises(ConfigError, match="warehouse.price_per_tib_usd"):
        config({"price_per_tib_usd": price})


def test_the_emulator_flag_is_off_by_default_and_needs_an_endpoint(tmp_path):
    cfg = config({"engine": "bigquery", "project": "p"})
    assert cfg.bigquery.emulator is False and "bq_emulator" not in cfg.dbt_vars()
    cfg = config({"engine": "bigquery", "project": "p", "api_endpoint": "http://127.0.0.1:9050", "emulator": True})
    assert cfg.bigquery.emulator is True and cfg.dbt_vars()["bq_emulator"] is True
    with pytest.raises(ConfigError, match="warehouse.emulator is for a BigQuery API on loopback"):
        config({"engine": "bigquery", "project": "p", "emulator": True})
    with pytest.raises(ConfigError, match="warehouse.emulator is for engine: bigquery"):
        config({"emulator": True})
