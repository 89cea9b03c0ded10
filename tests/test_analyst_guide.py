"""The README's "Analyst guide": every SQL block runs as it is against the demo's serving copy, and each answer is
recomputed here from the ledger, the landing CSVs and the raw request counts - with none of the marts' SQL - so a
question answered wrongly fails. Also: the demo's dbt docs exist as one offline file."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
NANO = Decimal("0.000000001")
SENTINELS = ("__idle__", "__unallocated__")


def guide_queries() -> list[str]:
    text = README.read_text()
    section = text[text.index("## Analyst guide"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def answer(demo, sql: str) -> list[dict]:
    with duckdb.connect(str(demo.serving), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def prorate(amount: Decimal, numerator: int, denominator: int) -> Decimal:
    return (amount * numerator / denominator).quantize(NANO, ROUND_HALF_UP)


def csv_rows(demo, name: str) -> list[dict]:
    with open(demo.root / "landing" / "business" / name) as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def truth(demo):
    """What the questions are about, from the ledger and the landing files only."""
    with duckdb.connect(str(demo.serving), read_only=True) as con:
        ledger = con.execute("select usage_date, tenant_id, feature_id, category, amount_usd "
                             "from marts.cost_ledger").fetchall()
        llm = con.execute("select usage_date, model, cost_usd from marts.llm_token_economics_daily").fetchall()
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        requests = con.execute("select usage_date, tenant_id, feature_id, sum(requests) from raw.request_counts "
                               "group by all").fetchall()
    days = sorted({r[0] for r in ledger})
    tenant_cost, tenant_category = defaultdict(Decimal), defaultdict(Decimal)
    scope_day = defaultdict(Decimal)
    for day, tenant, feature, category, amount in ledger:
        if tenant not in SENTINELS:
            tenant_cost[tenant] += amount
            tenant_category[tenant, category] += amount
            scope_day["tenant", tenant, day] += amount
        if feature not in SENTINELS:
            scope_day["feature", feature, day] += amount
    for day, model, cost in llm:
        if model != "__unallocated__":
            scope_day["model", model, day] += cost
    month_days = 31  # October
    mrr = {r["tenant_id"]: Decimal(r["mrr_usd"]) for r in csv_rows(demo, "revenue.csv") if r["month"] == "2026-10"}
    plan = {r["tenant_id"]: r["plan"] for r in csv_rows(demo, "tenants.csv")}
    revenue = {t: prorate(m, len(days), month_days) for t, m in mrr.items()}
    margin = {t: revenue.get(t, Decimal(0)) - tenant_cost.get(t, Decimal(0)) for t in set(revenue) | set(tenant_cost)}
    return dict(ledger=ledger, llm=llm, requests=requests, days=days, tenant_cost=tenant_cost, mrr=mrr, plan=plan,
                tenant_category=tenant_category, revenue=revenue, margin=margin, scope_day=scope_day,
                month_days=month_days)


def test_the_guide_asks_at_least_six_questions_each_one_select(demo):
    queries = guide_queries()
    assert len(queries) >= 6
    for sql in queries:
        assert sql.strip().endswith(";") and sql.count(";") == 1
        answer(demo, sql)  # runs as it is


def test_top_money_losing_tenants_last_month(demo, truth):
    rows = answer(demo, guide_queries()[0])
    losers = sorted((m, t) for t, m in truth["margin"].items() if m < 0)[:10]
    assert [(r["tenant_id"], r["gross_margin_usd"]) for r in rows] == [(t, m) for m, t in losers]
    for r in rows:
        t = r["tenant_id"]
        assert r["revenue_usd"] == truth["revenue"].get(t, 0) and r["total_cost_usd"] == truth["tenant_cost"][t]
        top = max(("compute", "storage", "network", "database", "ai_tokens", "other"),
                  key=lambda c: truth["tenant_category"][t, c])
        assert r["top_cost_category"] == top and r["days_in_data"] == len(truth["days"])


def test_cost_per_request_trend_by_feature(demo, truth):
    rows = answer(demo, guide_queries()[1])
    cost = defaultdict(Decimal)
    for day, tenant, feature, _category, amount in truth["ledger"]:
        if tenant not in SENTINELS:
            cost[day, tenant, feature] += amount
    expected = defaultdict(lambda: [0.0, Decimal(0)])
    for day, tenant, feature, n in truth["requests"]:
        if n > 0:
            expected[day, feature][0] += n
            expected[day, feature][1] += cost[day, tenant, feature]
    assert {(r["usage_date"], r["feature_id"]) for r in rows} == set(expected)
    assert len(truth["days"]) == 14
    for r in rows:
        n, c = expected[r["usage_date"], r["feature_id"]]
        assert r["cost_usd"] == c and r["requests"] == pytest.approx(n)
        assert r["cost_per_1k_requests_usd"] == pytest.approx(float(c) * 1000 / n, abs=5e-5)


def test_model_whose_cost_per_1k_tokens_rose_most(demo, truth):
    (row,) = answer(demo, guide_queries()[2])
    with duckdb.connect(str(demo.serving), read_only=True) as con:
        calls = con.execute("select usage_date, model, cost_usd, input_tokens + output_tokens "
                            "from marts.llm_token_economics_daily where input_tokens + output_tokens > 0").fetchall()
    today = max(d for d, *_ in calls)
    weeks = defaultdict(lambda: [Decimal(0), 0])
    for day, model, cost, tokens in calls:
        if today - timedelta(days=14) < day:
            week = "last" if day > today - timedelta(days=7) else "prior"
            weeks[model, week][0] += cost
            weeks[model, week][1] += tokens
    rates = {m: (weeks[m, "last"][0] / weeks[m, "last"][1]) / (weeks[m, "prior"][0] / weeks[m, "prior"][1])
             for m, _ in weeks if weeks[m, "prior"][1] and weeks[m, "last"][1] and weeks[m, "prior"][0] > 0}
    assert row["model"] == max(rates, key=lambda m: (rates[m], m))
    assert row["change_pct"] == pytest.approx(float(rates[row["model"]] - 1) * 100, abs=0.01)


def test_free_tier_subsidy(demo, truth):
    rows = {r["plan"]: r for r in answer(demo, guide_queries()[3])}
    by_plan = defaultdict(Decimal)
    for t, m in truth["margin"].items():
        by_plan[truth["plan"][t]] += m
    assert {p: r["gross_margin_usd"] for p, r in rows.items()} == dict(by_plan)
    losses = sum(-m for m in by_plan.values() if m < 0)
    profits = sum(m for m in by_plan.values() if m > 0)
    assert by_plan["free"] < 0 and rows["free"]["plan_role"] == "subsidised"
    covered = min(losses, profits)
    assert sum(r["subsidy_received_usd"] for r in rows.values()) == covered
    assert sum(r["subsidy_paid_usd"] for r in rows.values()) == covered
    for p, r in rows.items():
        if by_plan[p] > 0:
            assert abs(r["subsidy_paid_usd"] - covered * by_plan[p] / profits) <= NANO


def test_features_over_budget_this_quarter(demo, truth):
    rows = answer(demo, guide_queries()[4])
    budgets = defaultdict(Decimal)
    for r in csv_rows(demo, "budgets.csv"):
        if r["month"] in ("2026-10", "2026-11", "2026-12"):
            budgets[r["feature_id"]] += Decimal(r["budget_usd"])
    days, as_of = truth["days"], max(truth["days"])
    spend, week = defaultdict(Decimal), defaultdict(Decimal)
    for day, _tenant, feature, category, amount in truth["ledger"]:
        if category == "ai_tokens":
            spend[feature] += amount
            if day > as_of - timedelta(days=7):
                week[feature] += amount
    projected = {f: spend[f] + prorate(week[f], 92 - len(days), 7) for f in budgets}
    status = {f: "over" if projected[f] > b else "at_risk" if projected[f] > Decimal("0.9") * b else "on_track"
              for f, b in budgets.items()}
    assert {r["feature_id"]: (r["projected_spend_usd"], r["status"]) for r in rows} == {
        f: (projected[f], s) for f, s in status.items() if s != "on_track"}
    assert rows, "the demo's budgets put at least one feature at risk"


def expected_anomalies(truth) -> dict[tuple, tuple]:
    """Every anomalous (day, scope): cost > r x the trailing 7-day mean, compared exactly (7 x cost vs r x sum)."""
    built = set(truth["days"])
    found = {}
    for (scope_type, scope_id, day), cost in truth["scope_day"].items():
        before = [day - timedelta(days=k) for k in range(1, 8)]
        if not all(d in built for d in before) or cost < 1 or cost <= 0:
            continue
        trailing = sum((truth["scope_day"].get((scope_type, scope_id, d), Decimal(0)) for d in before), Decimal(0))
        severity = ("new_spend" if trailing <= 0 else "kill_switch" if 7 * cost > 4 * trailing
                    else "alert" if 7 * cost > Decimal("1.5") * trailing else None)
        if severity:
            found[day, scope_type, scope_id] = (cost, prorate(trailing, 1, 7), severity)
    return found


def test_cost_anomalies_match_an_exact_recomputation_and_todays_kill_switches(demo, truth):
    expected = expected_anomalies(truth)
    got = {(r["usage_date"], r["scope_type"], r["scope_id"]): (r["cost_usd"], r["trailing_7d_avg_usd"], r["severity"])
           for r in answer(demo, "select * from marts.cost_anomalies")}
    assert got == expected and expected, "the demo has alerts"
    today = max(truth["days"])
    kills = answer(demo, guide_queries()[5])
    assert {(r["scope_type"], r["scope_id"]) for r in kills} == {
        (t, s) for (d, t, s), v in expected.items() if d == today and v[2] == "kill_switch"}
    recent = answer(demo, guide_queries()[6])
    assert {(r["usage_date"], r["scope_type"], r["scope_id"]) for r in recent} == {
        k for k in expected if k[0] > today - timedelta(days=7)}


def test_what_100_more_pro_tenants_cost(demo, truth):
    (row,) = answer(demo, guide_queries()[7])
    pro = [t for t, c in truth["tenant_cost"].items() if truth["plan"].get(t) == "pro" and c > 0]
    monthly = prorate(sum(truth["tenant_cost"][t] for t in pro), truth["month_days"], len(pro) * len(truth["days"]))
    mrr = prorate(sum(truth["mrr"][t] for t in pro), 1, len(pro))
    assert row["active_tenants"] == len(pro) and row["usage_month"] == date(2026, 10, 1)
    assert (row["cost_of_100_more_usd"], row["mrr_of_100_more_usd"]) == (100 * monthly, 100 * mrr)


def test_the_demo_writes_its_dbt_docs_as_one_offline_file(demo):
    page = demo.root / "dbt_docs" / "static_index.html"
    assert str(page) in demo.summary
    html = page.read_text()
    for name in ("budget_burn_quarterly", "cost_anomalies", "tenant_margins", "trailing_7d_avg_usd"):
        assert name in html
