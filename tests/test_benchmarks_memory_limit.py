"""`warehouse.memory_limit` (the L benchmark's out-of-core setting, docs/configuration.md): checked on load, and
applied to the pipeline's DuckDB connections and to dbt's (dbt/profiles.yml, the var duckdb_settings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.lib.config import parse_config
from dagster_project.lib.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def config(warehouse: dict, base: Path = Path("/tmp")):
    return parse_config({"start_date": "2026-01-01", "warehouse": warehouse}, base, base / "unitcost.yaml")


@pytest.mark.parametrize("limit, message", [
    ("lots", "warehouse.memory_limit must be an amount like 3GB or 2500MiB, not 'lots'"),
    ("3 PB", "warehouse.memory_limit must be an amount like 3GB or 2500MiB, not '3 PB'"),
    (3, r"warehouse.memory_limit is 3 \(expected a string\)"),
])
def test_a_bad_memory_limit_is_named(limit, message):
    with pytest.raises(ConfigError, match=message):
        config({"memory_limit": limit})


def test_a_memory_limit_is_for_duckdb_only():
    with pytest.raises(ConfigError, match="warehouse.memory_limit is for engine: duckdb"):
        config({"engine": "bigquery", "project": "acme", "memory_limit": "3GB"})


def test_without_a_limit_duckdb_gets_the_default_and_bigquery_none():
    assert config({}).memory_limit == "2GB" and config({}).dbt_vars()["duckdb_settings"] == {"memory_limit": "2GB"}
    on_bigquery = config({"engine": "bigquery", "project": "acme"})
    assert on_bigquery.memory_limit is None and "duckdb_settings" not in on_bigquery.dbt_vars()


def test_the_limit_reaches_the_pipeline_connection_and_dbt(tmp_path):
    from dagster_project.defs.resources import UnitcostConfigResource, warehouse_resources

    path = tmp_path / "unitcost.yaml"
    path.write_text("start_date: 2026-01-01\nwarehouse: {path: wh.duckdb, memory_limit: 1GB}\n")
    resource = warehouse_resources(UnitcostConfigResource(path=str(path)))["duckdb"]
    with resource.get_connection() as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # 1e9 bytes

    cfg = UnitcostConfigResource(path=str(path)).config
    assert cfg.dbt_vars()["duckdb_settings"] == {"memory_limit": "1GB"}
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "show", "--profiles-dir", str(REPO / "dbt"), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--inline", "select current_setting('memory_limit') as m",
         "--vars", json.dumps(cfg.dbt_vars())],
        cwd=REPO / "dbt", capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "953.6 MiB" in proc.stdout
