"""Every warehouse transformation is a dbt model; Dagster runs one `dbt build` per run over its window of days."""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.dbt.run_window import run_window
from dagster_project.defs.dbt.translator import UnitcostDbtTranslator
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.pruning import checkpoint, prune_run_folders


def unitcost_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, unitcost: UnitcostConfigResource):
    """`dbt build` of every model, seed and test for the run's days: the ledger's days are deleted and rebuilt,
    and a failing error-severity test (conservation among them) stops the models after it."""
    config = unitcost.config
    dbt_vars = {**config.dbt_vars(), **run_window(context, config)}
    invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context)
    yield from invocation.stream()
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
