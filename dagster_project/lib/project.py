"""Process-wide handles derived from the config file: the config itself, the daily partitions, the dbt project."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import dagster as dg

from dagster_project.lib.config import UnitcostConfig, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DUCKDB_PATH_ENV = "UNITCOST_DUCKDB_PATH"


@cache
def project_config() -> UnitcostConfig:
    cfg = load_config()
    # dbt's profile reads the warehouse path from the environment; it is a path, never a secret
    os.environ[DUCKDB_PATH_ENV] = str(cfg.warehouse_path)
    cfg.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return cfg


@cache
def daily_partitions() -> dg.DailyPartitionsDefinition:
    # complete UTC days only: the daily schedule materializes yesterday
    return dg.DailyPartitionsDefinition(start_date=project_config().start_date.isoformat())


@cache
def dbt_project():
    """The dbt project, with its manifest parsed if it is missing (dagster-dbt needs it at import time)."""
    from dagster_dbt import DbtProject

    project_config()  # sets the warehouse path dbt's profile reads
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project
