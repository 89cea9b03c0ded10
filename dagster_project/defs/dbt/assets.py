"""Every warehouse transformation is a dbt model; Dagster runs one `dbt build` per run over its window of days."""

import json
from datetime import date

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.dbt.run_window import run_window
from dagster_project.defs.dbt.translator import UnitcostDbtTranslator
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.pruning import checkpoint, prune_run_folders
from dagster_project.lib.run_steps import count_bytes
from dagster_project.lib.warehouse_engines import dbt_bytes, warehouse_engine


def unitcost_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, unitcost: UnitcostConfigResource):
    """`dbt build` of every model, seed and test for the run's days: the ledger's days are deleted and rebuilt,
    and a failing error-severity test (conservation among them) stops the models after it."""
    config = unitcost.config
    window = run_window(context, config)
    # on BigQuery the run's raw partitions go up first (lib/warehouse_engines.py); on DuckDB nothing moves
    warehouse_engine(config).push_raw(date.fromisoformat(window["start_date"]),
                                      date.fromisoformat(window["end_date"]), context.run.run_id)
    dbt_vars = {**config.dbt_vars(), **window, "current_run_id": context.run.run_id}
    invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context)
    try:
        yield from invocation.stream()
    finally:
        # what dbt's jobs processed and billed (BigQuery), read before the target folder may be pruned
        count_bytes(*dbt_bytes(invocation.target_path / "run_results.json"))
    # bounded disk: this run's target folder is the newest; older ones beyond keep_runs go, the file is checkpointed
    removed = prune_run_folders(invocation.target_path.parent, context.op_def.name, config.keep_runs)
    checkpoint(config.warehouse_path)
    context.log.info(f"pruned {len(removed)} dbt target folders (keeping {config.keep_runs}); warehouse checkpointed")


def dbt_models(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    project = dbt_project()
    return dbt_assets(
        manifest=project.manifest_path,
        project=project,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=UnitcostDbtTranslator(),
        pool="warehouse_writer",
    )(unitcost_dbt_models)
