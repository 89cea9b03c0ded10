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
    """The run's days, widened to every day of the bill periods this run re-ingested (or validated after an
    earlier run loaded them): a restated month rebuilds all of its ledger days, not only the run's.

    The widening stops at the config's start_date and at the days the ledger has already built (or the run's own,
    if further out): days never materialized are left for their own runs (DESIGN.md §3.8)."""
    import duckdb  # the dbt subprocess opens the file after this connection is closed

    window = context.partition_time_window
    start, end = window.start.date(), (window.end - timedelta(days=1)).date()
    cfg = project_config()
    try:
        with duckdb.connect(str(cfg.warehouse_path)) as con:
            tables = {r[0] for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()}
            if "raw.bill_deliveries" in tables:
                first, last = con.execute(
                    "select min(first_usage_date), max(last_usage_date) from raw.bill_deliveries "
                    "where run_id = ? or checked_run_id = ?",
                    [context.run_id, context.run_id],
                ).fetchone()
                built_first, built_last = (
                    con.execute("select min(usage_date), max(usage_date) from marts.cost_ledger").fetchone()
                    if "marts.cost_ledger" in tables else (None, None)
                )
                if first is not None:
                    start = min(start, max(first, cfg.start_date, min(start, built_first or start)))
                if last is not None:
                    end = max(end, min(last, max(end, built_last or end)))
    except duckdb.Error as exc:  # an older warehouse without these columns: rebuild the run's days only
        context.log.warning(f"bill restatement window not widened: {exc}")
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


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
