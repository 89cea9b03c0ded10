"""The conservation check (DESIGN.md §3.7): blocking, so a ledger that does not sum to the truth never reaches
the serving copy. The dbt test of the same name guards inside `dbt build`; this one guards the publish step."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import daily_partitions

COST_LEDGER = dg.AssetKey(["marts", "cost_ledger"])
TOLERANCE_USD = "0.000001"

CONSERVATION_SQL = f"""
with truth as (
    select usage_date, source_id, sum(truth_usd) as truth_usd
    from intermediate.int_truth_daily
    where usage_date between ? and ?
    group by 1, 2
), ledger as (
    select usage_date, source_id, sum(amount_usd) as ledger_usd
    from marts.cost_ledger
    where usage_date between ? and ?
    group by 1, 2
)
select coalesce(t.usage_date, l.usage_date) as usage_date, coalesce(t.source_id, l.source_id) as source_id,
       coalesce(t.truth_usd, 0) as truth_usd, coalesce(l.ledger_usd, 0) as ledger_usd
from truth t full outer join ledger l on l.usage_date = t.usage_date and l.source_id = t.source_id
where abs(coalesce(t.truth_usd, 0) - coalesce(l.ledger_usd, 0)) >= {TOLERANCE_USD}
order by 1, 2
"""


@dg.asset_check(asset=COST_LEDGER, blocking=True, partitions_def=daily_partitions())
def ledger_conserves_truth(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """Per day and source of the run: Σ ledger = Σ effective bill cost + LLM invoices, to $0.000001."""
    window = context.op_execution_context.partition_time_window
    start, end = window.start.date(), (window.end - timedelta(days=1)).date()
    with duckdb.get_connection() as con:
        # the dbt models bind a view over the run window; the check reads the whole truth for its own window
        broken = con.execute(CONSERVATION_SQL, [start, end, start, end]).fetchall()
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
