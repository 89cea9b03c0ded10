"""What the daily report reads: one query per section, each against a mart of the serving copy (docs/report.md).

Every figure on the page is a mart's column, read as it is or summed over the mart's own rows for the month or the
30 days shown (Σ of amounts only: a ratio is never recomputed here, it is read from the mart that defines it). The
report day is a built day: the latest `usage_date` of the ledger unless one is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

WINDOW_DAYS = 30  # the AI cost and unit cost trends: the last 30 days up to the report day
TOP_TENANTS = 10

REAL_TENANT = "tenant_id not in ('__idle__', '__unallocated__')"
# a chart's bar per tenant: two tenants may share a name
TENANT_LABEL = "coalesce(tenant_name, tenant_id) || ' (' || tenant_id || ')' as tenant_label"

QUERIES: dict[str, str] = {
    # the month so far ($month .. $day)
    "month_total": """
        select sum(total_cost_usd) as total_cost_usd, count(distinct usage_date) as days
        from marts.tenant_daily_cost where usage_date between $month and $day""",
    "month_by_category": """
        unpivot (select sum(compute_cost_usd) as compute, sum(storage_cost_usd) as storage,
                        sum(network_cost_usd) as network, sum(database_cost_usd) as database,
                        sum(ai_tokens_cost_usd) as ai_tokens, sum(other_cost_usd) as other
                 from marts.tenant_daily_cost where usage_date between $month and $day)
        on columns(*) into name category value cost_usd order by cost_usd desc, category""",
    "month_by_cost_type": """
        unpivot (select sum(direct_cost_usd) as direct, sum(shared_cost_usd) as shared,
                        sum(idle_cost_usd) as idle, sum(unallocated_cost_usd) as unallocated
                 from marts.tenant_daily_cost where usage_date between $month and $day)
        on columns(*) into name cost_type value cost_usd order by cost_usd desc, cost_type""",
    "reconciliation": """
        select coalesce(source_id, 'all sources') as source_id, grouping(source_id) = 1 as is_total,
               sum(effective_cost_usd) as effective_cost_usd, sum(ledger_total_usd) as ledger_total_usd,
               sum(diff_usd) as diff_usd, count(*) filter (where diff_usd <> 0) as days_off
        from marts.bill_reconciliation_daily where usage_date between $month and $day
        group by rollup (source_id) order by is_total desc, source_id""",
    "top_tenants": f"""
        select c.tenant_id, coalesce(t.tenant_name, c.tenant_id) as tenant_name, coalesce(t.plan, '') as plan,
               sum(c.total_cost_usd) as cost_usd, {TENANT_LABEL}
        from marts.tenant_daily_cost as c left join marts.dim_tenant as t using (tenant_id)
        where c.usage_date between $month and $day and c.{REAL_TENANT}
        group by all order by cost_usd desc, c.tenant_id limit {TOP_TENANTS}""",
    "losing_money": f"""
        select tenant_id, tenant_name, plan, revenue_usd, total_cost_usd, gross_margin_usd, top_cost_category,
               {TENANT_LABEL}
        from marts.tenants_losing_money where usage_month = $month
        order by gross_margin_usd, tenant_id""",
    "plans": """
        select plan, plan_role, tenants, loss_making_tenants, revenue_usd, total_cost_usd, gross_margin_usd,
               gross_margin_pct, subsidy_received_usd, subsidy_paid_usd, losses_covered_pct
        from marts.plan_economics_monthly where usage_month = $month order by gross_margin_usd desc, plan""",
    # AI cost over the last 30 days ($window .. $day)
    "ai_by_feature": """
        select usage_date, feature_id, sum(cost_usd) as cost_usd
        from marts.llm_token_economics_daily where usage_date between $window and $day
        group by all order by usage_date, feature_id""",
    "ai_by_model": """
        select usage_date, provider || ' / ' || model as model, cost_usd, cost_per_1k_tokens_usd, cache_hit_rate
        from marts.llm_model_daily where usage_date between $window and $day order by usage_date, model""",
    "unit_trend": """
        select usage_date, llm_cost_per_1k_tokens_usd, cost_per_request_usd
        from marts.unit_economics_daily where usage_date between $window and $day order by usage_date""",
    "feature_unit_cost": """
        select usage_date, feature_id, cost_per_use_usd
        from marts.feature_daily_cost
        where usage_date between $window and $day and cost_per_use_usd is not null order by usage_date, feature_id""",
    # the report day and its quarter
    "anomalies": """
        select scope_type, scope_id, severity, cost_usd, trailing_7d_avg_usd, ratio
        from marts.cost_anomalies where usage_date = $day
        order by severity = 'kill_switch' desc, cost_usd desc, scope_type, scope_id""",
    "budgets": """
        select feature_id, scope, budget_usd, spend_to_date_usd, projected_spend_usd, projected_pct_of_budget,
               status, as_of_date
        from marts.budget_burn_quarterly where usage_quarter = $quarter order by feature_id, scope""",
    # what is not yet attributed, every built day up to the report day
    "unattributed": """
        unpivot (select usage_date, sum(idle_cost_usd) as idle, sum(unallocated_cost_usd) as unallocated
                 from marts.tenant_daily_cost where usage_date <= $day group by usage_date)
        on idle, unallocated into name cost_type value cost_usd order by usage_date, cost_type""",
    "freshness": """
        select source_kind, source_name, first_usage_date, last_usage_date, last_built_date, days_missing,
               days_behind
        from marts.source_freshness order by source_kind, source_name""",
}


class ReportDateError(ValueError):
    """The day asked for is not a built day of the serving copy (the message names the built range)."""


@dataclass(frozen=True)
class ReportData:
    day: date
    month: date
    quarter: date
    window_start: date
    sections: dict[str, list[dict[str, Any]]]


def built_days(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    return con.execute("select min(usage_date), max(usage_date) from marts.cost_ledger").fetchone()


def report_day(con: duckdb.DuckDBPyConnection, asked: date | None) -> date:
    """`asked`, if the ledger has built it; without one, the latest built usage_date (never the clock)."""
    first, last = built_days(con)
    if last is None:
        raise ReportDateError("the serving copy has no built day yet (run the pipeline first)")
    if asked is None:
        return last
    built = con.execute("select count(*) from marts.cost_ledger where usage_date = ?", [asked]).fetchone()[0]
    if not built:
        raise ReportDateError(f"--date {asked}: not a built day (the ledger has {first} .. {last})")
    return asked


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, date]) -> list[dict[str, Any]]:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    cursor = con.execute(sql, used)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def read_report_data(serving_path: Path, asked: date | None = None) -> ReportData:
    with duckdb.connect(str(serving_path), read_only=True) as con:
        day = report_day(con, asked)
        month = day.replace(day=1)
        quarter = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        window = day - timedelta(days=WINDOW_DAYS - 1)
        params = {"day": day, "month": month, "quarter": quarter, "window": window}
        sections = {name: _rows(con, sql, params) for name, sql in QUERIES.items()}
    return ReportData(day=day, month=month, quarter=quarter, window_start=window, sections=sections)
