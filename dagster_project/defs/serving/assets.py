"""The serving copy analysts and Metabase read, swapped in whole after a good run (docs/marts.md, The serving copy).

The pipeline writes its own DuckDB file; this asset runs only after every mart and every blocking check of the run
passed. It copies every table and view of schema `marts` into a new file beside the serving path, checks that the
new file holds every table with the pipeline's row counts, flushes it to disk, and os.replace()s it over the
serving path in one atomic rename. A failure at any step deletes the new file and leaves the previous copy in place.

A reader never sees a half-written file: one that opens the path gets the old copy or the new one, whole; one
holding it open keeps its copy (the rename does not touch an open file). DuckDB keeps one database instance per
path per process, so a process that keeps any connection open (a BI server's pool) reads the copy it opened until
all of its connections to that path close; a pool that recycles its connections sees the new day.

On BigQuery (warehouse.engine: bigquery) the same step copies each table of `<prefix>marts_build` over
`<prefix>marts` with one copy job per table (lib/warehouse_engines.py); no serving file is written there."""


import json
import os
import uuid
from glob import escape as glob_escape
from pathlib import Path

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.warehouse_engines import BigQueryEngine, warehouse_engine


def mart_names() -> list[str]:
    """Every dbt model of the `marts` schema: the serving copy waits for all of them."""
    nodes = json.loads(dbt_project().manifest_path.read_text())["nodes"].values()
    return sorted(n["name"] for n in nodes if n["resource_type"] == "model" and n["schema"] == "marts")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def write_serving_file(con: duckdb_lib.DuckDBPyConnection, staging: Path) -> dict[str, int]:
    """Copy every table and view of `marts` (through `con`, the pipeline's warehouse) into a new DuckDB file at
    `staging`, as tables; the {table: rows} it must hold."""
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()]
    con.execute(f"attach '{_sql_path(staging)}' as serving_new")
    try:
        con.execute("create schema serving_new.marts")
        for table in tables:
            con.execute(f'create table serving_new.marts."{table}" as select * from marts."{table}"')
        expected = {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in tables}
        # everything in the file itself, no write-ahead log left beside it to be renamed with it
        con.execute("checkpoint serving_new")
    finally:
        con.execute("detach serving_new")
    return expected


def verify_serving_file(staging: Path, expected: dict[str, int]) -> None:
    """The new file opens on its own and holds every mart with the rows it was given; else an error naming them."""
    with duckdb_lib.connect(str(staging), read_only=True) as check:
        found = {t: check.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in expected}
    wrong = {t: (found[t], n) for t, n in expected.items() if found[t] != n}
    if wrong:
        raise RuntimeError(f"serving copy incomplete (table: rows found, rows expected): {wrong}")


def publish(staging: Path, target: Path) -> None:
    """Flush the new file to disk, then rename it over `target` (atomic on one filesystem) and flush the folder, so
    a crash leaves the old copy or the new one, never a torn file."""
    with open(staging, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(staging, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def replace_serving_copy(con: duckdb_lib.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Write, check and publish a new serving copy of `con`'s marts over `target`; the {table: rows} it holds.

    Whatever fails on the way (a full disk, a killed process before the rename), `target` is left as it was. A new
    file left behind by a run killed mid-copy is removed here first: this runs under the run lock, so no other run
    is writing one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{glob_escape(target.name)}.*.tmp*"):
        stale.unlink(missing_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        expected = write_serving_file(con, staging)
        verify_serving_file(staging, expected)
        publish(staging, target)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return expected


def marts_copy(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource
) -> dg.MaterializeResult:
    engine = warehouse_engine(unitcost.config)
    if isinstance(engine, BigQueryEngine):
        # BigQuery: the checked marts_build tables are copied over the readers' marts dataset (copy jobs)
        published = engine.publish_marts(mart_names())
        return dg.MaterializeResult(metadata={
            "dataset": f"{engine.bq.project}.{engine.bq.dataset('marts')}", "tables": sorted(published),
            "ledger_rows": published.get("cost_ledger", 0)})
    target = unitcost.config.serving_path
    with duckdb.get_connection() as con:
        expected = replace_serving_copy(con, target)
    return dg.MaterializeResult(metadata={
        "path": str(target), "tables": sorted(expected), "ledger_rows": expected.get("cost_ledger", 0),
    })


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
