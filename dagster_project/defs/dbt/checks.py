"""The conservation check, blocking: a ledger that does not sum to the truth never reaches the serving copy
(docs/allocation.md, Conservation). The dbt test of the same name guards inside `dbt build`; this one guards the
publish step. Both read the one comparison of ledger and truth, `marts.bill_reconciliation_daily.diff_usd`."""

from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from dagster_project.defs.dbt.project import project_var
from dagster_project.defs.dbt.run_window import RUN_WINDOW_TABLE
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.warehouse_engines import BigQueryEngine, warehouse_engine

COST_LEDGER = dg.AssetKey(["marts", "cost_ledger"])


def conservation_tolerance() -> Decimal:
    """The dbt project's var conservation_tolerance_usd: the one place the tolerance is written."""
    return Decimal(str(project_var("conservation_tolerance_usd")))


def broken_day_sources(con: duckdb_lib.DuckDBPyConnection, start: date, end: date) -> list[tuple]:
    """(usage_date, source_id, truth, ledger, diff) of every day and source in [start, end] whose ledger does not
    sum to its truth."""
    return con.execute(
        "select usage_date, source_id, effective_cost_usd, ledger_total_usd, diff_usd "
        "from marts.bill_reconciliation_daily "
        "where usage_date between ? and ? and abs(diff_usd) >= cast(? as decimal(38, 9)) order by 1, 2",
        [start, end, str(conservation_tolerance())],
    ).fetchall()


def _rebuilt_days(con: duckdb_lib.DuckDBPyConnection, run_id: str, start: date, end: date) -> tuple[date, date]:
    """The run's days widened to those its dbt build rebuilt (raw.run_window, written by this run: a restated
    month's days, a late call's day; defs/dbt/run_window.py), so every day the run published is checked."""
    try:
        row = con.execute(f"select start_date, end_date from {RUN_WINDOW_TABLE} where run_id = ?", [run_id]).fetchone()
    except duckdb_lib.CatalogException:  # no run wrote the table yet
        return start, end
    return (min(start, row[0]), max(end, row[1])) if row else (start, end)


def ledger_conserves_truth(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource,
                           unitcost: UnitcostConfigResource) -> dg.AssetCheckResult:
    """Per day and source of the run: Σ ledger = Σ effective bill cost + LLM invoices, to the tolerance."""
    window = context.op_execution_context.partition_time_window
    start, end = window.start.date(), (window.end - timedelta(days=1)).date()
    engine = warehouse_engine(unitcost.config)
    if isinstance(engine, BigQueryEngine):  # the built marts are on BigQuery (marts_build)
        broken = engine.broken_day_sources(start, end, conservation_tolerance())
        total = engine.ledger_total(start, end)
    else:
        with duckdb.get_connection() as con:
            start, end = _rebuilt_days(con, context.op_execution_context.run_id, start, end)
            broken = broken_day_sources(con, start, end)
            total = con.execute(
                "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where usage_date between ? and ?",
                [start, end],
            ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not broken,
        metadata={
            "days": f"{start}..{end}",
            "ledger_total_usd": str(total),
            "tolerance_usd": str(conservation_tolerance()),
            "broken_day_sources": len(broken),
            "first_broken": str(broken[:5]),
        },
    )


def conservation_checks(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    return dg.asset_check(asset=COST_LEDGER, blocking=True, partitions_def=partitions)(ledger_conserves_truth)
