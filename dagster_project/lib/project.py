"""Process-wide handles derived from the config file: the config itself, the daily partitions, the dbt project."""

from __future__ import annotations

import os
import shutil
import sys
from functools import cache
from pathlib import Path

import dagster as dg

from dagster_project.lib.config import UnitcostConfig, config_path, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DUCKDB_PATH_ENV = "UNITCOST_DUCKDB_PATH"

# dagster-dbt runs `dbt` from PATH; the one installed next to this interpreter is the pinned one
_BIN = str(Path(sys.executable).parent)
if shutil.which("dbt") is None and Path(_BIN, "dbt").exists():
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


def project_config() -> UnitcostConfig:
    """The config named by $UNITCOST_CONFIG (else ./unitcost.yaml), read once per path."""
    cfg = _load(config_path())
    # dbt's profile reads the warehouse path from the environment; it is a path, never a secret
    os.environ[DUCKDB_PATH_ENV] = str(cfg.warehouse_path)
    return cfg


@cache
def _load(path: Path) -> UnitcostConfig:
    cfg = load_config(path)
    cfg.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return cfg


@cache
def daily_partitions() -> dg.DailyPartitionsDefinition:
    """Built once per process from the first config's start_date (asset definitions are module-level)."""
    # complete UTC days only: the daily schedule materializes yesterday
    return dg.DailyPartitionsDefinition(start_date=project_config().start_date.isoformat())


@cache
def dbt_project():
    """The dbt project, with its manifest parsed if it is missing (dagster-dbt needs it at import time)."""
    from dagster_dbt import DbtProject

    project_config()  # sets the warehouse path dbt's profile reads
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if _manifest_is_stale(project.manifest_path):
        project.preparer.prepare(project)
    return project


def _manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [*DBT_PROJECT_DIR.glob("*.yml"), *DBT_PROJECT_DIR.glob("models/**/*"),
               *DBT_PROJECT_DIR.glob("macros/**/*"), *DBT_PROJECT_DIR.glob("tests/**/*"),
               *(REPO_ROOT / "seeds").glob("*")]
    return any(p.stat().st_mtime > built for p in sources if p.is_file())
