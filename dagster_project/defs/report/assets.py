"""The daily report, rebuilt after every run from the serving copy it just published (docs/report.md).

One static page, `<report.path>/index.html`, for the latest built day: it reads the serving file (what analysts
read), never the pipeline's own warehouse, so the page shows exactly what a reader of the marts would find."""

import dagster as dg

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.report.build import build_report
from dagster_project.report.data import ReportDateError

REPORT_KEY = dg.AssetKey(["report", "daily_report"])


def builds_report(context: dg.AssetExecutionContext) -> bool:
    """Whether the running run materializes the daily report (a run of every asset does)."""
    selection = context.run.asset_selection
    return selection is None or REPORT_KEY in selection


def daily_report(context: dg.AssetExecutionContext, unitcost: UnitcostConfigResource) -> dg.MaterializeResult:
    config = unitcost.config
    if config.bigquery is not None:  # the report reads a DuckDB serving file, which BigQuery runs do not write
        context.log.warning("warehouse.engine bigquery: no daily report written (README.md, Running on BigQuery)")
        return dg.MaterializeResult(metadata={"written": False})
    try:
        path = build_report(config.serving_path, config.report_folder)
    except ReportDateError as exc:
        # a run whose every source was empty built no day: nothing to report, and no reason to fail the run
        context.log.warning(f"no daily report written: {exc}")
        return dg.MaterializeResult(metadata={"written": False})
    context.log.info(f"daily report written to {path}")
    return dg.MaterializeResult(metadata={"written": True, "path": dg.MetadataValue.path(str(path)),
                                          "bytes": path.stat().st_size})


def report_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        key=REPORT_KEY,
        deps=[dg.AssetKey(["serving", "marts_copy"])],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="report",
        kinds={"html"},
        description="The static daily report (index.html): margins, AI cost, anomalies, budgets, freshness.",
    )(daily_report)
