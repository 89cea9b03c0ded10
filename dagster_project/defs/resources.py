import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import dbt_project, project_config


@dg.definitions
def resources() -> dg.Definitions:
    cfg = project_config()
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=str(cfg.warehouse_path)),
            "dbt": DbtCliResource(project_dir=dbt_project(), profiles_dir=str(dbt_project().project_dir)),
        }
    )
