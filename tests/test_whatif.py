"""`unitcost whatif` against the demo: the projected monthly cost, revenue and margin change of more tenants of a
plan, a linear estimate from the month's per-plan unit costs, recomputed here from the ledger and the landing CSVs."""

from __future__ import annotations

import csv
import io
from contextlib import redirect_stdout
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from dagster_project.cli import main

pytestmark = pytest.mark.slow

NANO = Decimal("0.000000001")


def run_whatif(demo, *args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["whatif", "--config", str(demo.config_path), *args]) == 0
    return out.getvalue()


def plan_unit_costs(demo, plan: str) -> tuple[Decimal, Decimal]:
    """(monthly cost, MRR) of one more tenant of `plan` in October, from the ledger and the business CSVs."""
    with duckdb.connect(str(demo.serving), read_only=True) as con:
        cost = dict(con.execute("select tenant_id, sum(amount_usd) from marts.cost_ledger group by 1").fetchall())
        days = con.execute("select count(distinct usage_date) from marts.cost_ledger").fetchone()[0]
    business = demo.root / "landing" / "business"
    plans = {r["tenant_id"]: r["plan"] for r in csv.DictReader(open(business / "tenants.csv"))}
    mrr = {r["tenant_id"]: Decimal(r["mrr_usd"]) for r in csv.DictReader(open(business / "revenue.csv"))}
    active = [t for t, c in cost.items() if plans.get(t) == plan and c > 0]
    monthly = (sum(cost[t] for t in active) * 31 / (len(active) * days)).quantize(NANO, ROUND_HALF_UP)
    return monthly, (sum(mrr[t] for t in active) / len(active)).quantize(NANO, ROUND_HALF_UP)


def test_whatif_prints_the_linear_estimate_of_100_pro_and_1000_free_tenants(demo):
    printed = run_whatif(demo, "--month", "2026-10", "--add", "pro=100", "--add", "free=1000")
    pro_cost, pro_mrr = plan_unit_costs(demo, "pro")
    free_cost, free_mrr = plan_unit_costs(demo, "free")
    assert free_mrr == 0
    cost = 100 * pro_cost + 1000 * free_cost
    revenue = 100 * pro_mrr
    assert f"Projected monthly cost change +${cost:,.2f}, revenue change +${revenue:,.2f}, " \
           f"margin change {'-' if revenue < cost else '+'}${abs(revenue - cost):,.2f}" in printed
    assert f"{100 * pro_cost:+,.2f}" in printed and f"{-1000 * free_cost:+,.2f}" in printed
    assert "linear estimate" in printed


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2026-09", "--add", "pro=1"], "--month 2026-09: no unit costs for that month (built months: 2026-10)"),
    (["--month", "2026-10", "--add", "platinum=1"], "--add platinum: no active tenant of that plan in 2026-10"),
    (["--month", "2026-10", "--add", "pro"], "--add 'pro': expected PLAN=COUNT"),
])
def test_whatif_refuses_a_month_or_plan_it_has_no_unit_costs_for(demo, args, message):
    with pytest.raises(SystemExit) as excinfo:
        main(["whatif", "--config", str(demo.config_path), *args])
    assert message in str(excinfo.value)
