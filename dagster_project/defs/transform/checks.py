"""The conservation check (DESIGN.md §3.7): blocking, so a ledger that does not sum to the truth never reaches
the serving copy. The dbt test of the same name guards inside `dbt build`; this one guards the publish step."""

from datetime import timedelta
from decimal import Decimal

import dagster as dg
import yaml
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import DBT_PROJECT_DIR, daily_partitions

COST_LEDGER = dg.AssetKey(["marts", "cost_ledger"])
# one tolerance for the dbt test assert_ledger_conserves_truth and this check: the dbt project's var
TOLERANCE_USD = Decimal(str(yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
    "conservation_tolerance_usd"]))

# the comparison itself is the mart bill_reconciliation_daily (truth and ledger per day and source, diff_usd);
# the check reads its rows of the partition window rather than computing the truth again
CONSERVATION_SQL = f"""
select usage_date, source_id, effective_cost_usd as truth_usd, coalesce(ledger_total_usd, 0) as ledger_usd, diff_usd
from marts.bill_reconciliation_daily
where usage_date between ? and ? and abs(diff_usd) >= {TOLERANCE_USD}
order by 1, 2
"""


@dg.asset_check(asset=COST_LEDGER, blocking=True, partitions_def=daily_partitions())
def ledger_conserves_truth(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """Per day and source of the run: Σ ledger = Σ effective bill cost + LLM invoices, to $0.000001."""
    window = context.op_execution_context.partition_time_window
    start, end = window.start.date(), (window.end - timedelta(days=1)).date()
    with duckdb.get_connection() as con:
        broken = con.execute(CONSERVATION_SQL, [start, end]).fetchall()
        total = con.execute(
            "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where usage_date between ? and ?",
            [start, end],
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not broken,
        metadata={
            "days": f"{start}..{end}",
            "ledger_total_usd": str(total),
            "broken_day_sources": len(broken),
            "first_broken": str(broken[:5]),
        },
    )
