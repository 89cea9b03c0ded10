"""The serving copy analysts and Metabase read, swapped in whole after a good run (docs/marts.md, Serving).

The pipeline writes its own DuckDB file; this asset copies every mart into a new file and os.replace()s it over
the serving path. A reader that opens the serving file after the swap sees the new day; a process that keeps a
connection open keeps reading the copy it opened until all its connections close (DuckDB caches one database
instance per path per process), so a BI server must recycle its connection pool after each run."""

import json
import os
import uuid

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.resources import UnitcostConfigResource


def mart_names() -> list[str]:
    """Every dbt model of the `marts` schema: the serving copy waits for all of them."""
    nodes = json.loads(dbt_project().manifest_path.read_text())["nodes"].values()
    return sorted(n["name"] for n in nodes if n["resource_type"] == "model" and n["schema"] == "marts")


def marts_copy(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource
) -> dg.MaterializeResult:
    target = unitcost.config.serving_path
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    with duckdb.get_connection() as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]
        quoted = str(staging).replace("'", "''")
        con.execute(f"attach '{quoted}' as serving_new")
        try:
            con.execute("create schema serving_new.marts")
            for table in tables:
                con.execute(f'create table serving_new.marts."{table}" as select * from marts."{table}"')
        finally:
            con.execute("detach serving_new")
    os.replace(staging, target)
    with duckdb_lib.connect(str(target), read_only=True) as check:
        rows = check.execute("select count(*) from marts.cost_ledger").fetchone()[0]
    return dg.MaterializeResult(metadata={"path": str(target), "tables": tables, "ledger_rows": rows})


def serving_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        key=["serving", "marts_copy"],
        deps=[dg.AssetKey(["marts", m]) for m in mart_names()],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="serving",
        kinds={"duckdb"},
        pool="warehouse_writer",
    )(marts_copy)
