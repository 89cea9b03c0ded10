"""Every warehouse transformation is a dbt model; Dagster runs them per partition window."""

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.lib.project import daily_partitions, dbt_project, project_config


class UnitcostDbtTranslator(DagsterDbtTranslator):
    """Models are keyed <schema>/<name> (marts/cost_ledger) and grouped by their layer."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            layer = node.get("schema") or "dbt"
            return spec.replace_attributes(key=dg.AssetKey([layer, node["name"]]), group_name=layer)
        return spec


def run_window(context: dg.AssetExecutionContext) -> dict[str, str]:
    window = context.partition_time_window
    return {
        "start_date": window.start.date().isoformat(),
        "end_date": (window.end - timedelta(days=1)).date().isoformat(),
    }


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=UnitcostDbtTranslator(),
    pool="warehouse_writer",
)
def unitcost_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of every model, seed and test for the run's days: the ledger's days are deleted and rebuilt,
    and a failing error-severity test (conservation among them) stops the models after it."""
    dbt_vars = {**project_config().dbt_vars(), **run_window(context)}
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()
