"""The report's sections: for each, its charts (each with the one line that reads it) and its tables, from the rows
`data.py` read. A reading names what the chart shows and its largest or latest row, as the mart holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

import altair as alt

from dagster_project.report import charts
from dagster_project.report.data import ReportData
from dagster_project.report.money import UNIT_COST_PLACES, money


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    reading: str
    spec: alt.TopLevelMixin


@dataclass(frozen=True)
class Table:
    table_id: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]  # a cell: text, a number or a date; None is written as an en dash
    empty: str  # what the page says when there is no row


@dataclass(frozen=True)
class Section:
    section_id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _chart(chart_id: str, title: str, rows: list[dict[str, Any]], reading: Callable[[], str],
           spec: Callable[[], alt.TopLevelMixin]) -> list[Chart]:
    """The chart and its reading, or none when its mart has no row for the period (its table says so instead)."""
    return [Chart(chart_id, title, reading(), spec())] if rows else []


def month_section(data: ReportData) -> Section:
    s = data.sections
    by_category, by_type = s["month_by_category"], s["month_by_cost_type"]
    return Section("month", f"The month so far ({data.month:%B %Y}, {data.month} .. {data.day})", charts=[
        *_chart("cost-by-category", "Cost by category", by_category,
                lambda: f"{by_category[0]['category']} cost the most this month: {money(by_category[0]['cost_usd'])}.",
                lambda: charts.money_bars(by_category, "category", "cost_usd", "category")),
        *_chart("cost-by-type", "Cost by cost type", by_type,
                lambda: "direct is cost its tenant used itself; shared was moved by a rule; idle is capacity "
                        "nobody used; unallocated found no owner.",
                lambda: charts.money_bars(by_type, "cost_type", "cost_usd", "cost type")),
    ], tables=[Table("reconciliation", "Ledger vs bill, per source", ("source", "bill (effective cost)",
                                                                      "ledger", "difference", "days off"),
                     [(r["source_id"], money(r["effective_cost_usd"]), money(r["ledger_total_usd"]),
                       money(r["diff_usd"]), str(r["days_off"])) for r in s["reconciliation"]],
                     "no bill day in this month")])


def tenants_section(data: ReportData) -> Section:
    s = data.sections
    top, losing, plans = s["top_tenants"], s["losing_money"], s["plans"]
    return Section("tenants", "Tenants and plans", charts=[
        *_chart("top-tenants", "Top tenants by cost this month", top,
                lambda: f"{top[0]['tenant_name']} ({top[0]['plan']}) cost the most: {money(top[0]['cost_usd'])} "
                        "(idle and unallocated cost are no tenant's).",
                lambda: charts.money_bars(top, "tenant_label", "cost_usd", "tenant")),
        *_chart("losing-money", "Tenants losing money (margin vs MRR)", losing,
                lambda: f"{len(losing)} tenants cost more than their MRR this month (prorated to the days built); "
                        f"the worst: {losing[0]['tenant_name']} at {money(losing[0]['gross_margin_usd'])}.",
                lambda: charts.money_bars(losing[:15], "tenant_label", "gross_margin_usd", "tenant")),
        *_chart("plan-margin", "Gross margin by plan", plans,
                lambda: "each plan's revenue minus its tenants' cost this month; the profitable plans pay for the "
                "loss-making ones (the subsidy below).",
                lambda: charts.money_bars(plans, "plan", "gross_margin_usd", "plan")),
    ], tables=[
        Table("top-tenants-table", "Top tenants", ("tenant", "name", "plan", "cost"),
              [(r["tenant_id"], r["tenant_name"], r["plan"], money(r["cost_usd"])) for r in top], "no tenant cost"),
        Table("losing-money-table", "Losing money", ("tenant", "plan", "revenue", "cost", "margin", "top category"),
              [(r["tenant_name"], r["plan"], money(r["revenue_usd"]), money(r["total_cost_usd"]),
                money(r["gross_margin_usd"]), r["top_cost_category"]) for r in losing],
              "no tenant lost money this month"),
        Table("plans-table", "Plans and the free-tier subsidy", ("plan", "role", "tenants", "losing", "revenue",
                                                                 "cost", "margin", "margin %", "subsidy received",
                                                                 "subsidy paid", "losses covered"),
              [(r["plan"], r["plan_role"], str(r["tenants"]), str(r["loss_making_tenants"]), money(r["revenue_usd"]),
                money(r["total_cost_usd"]), money(r["gross_margin_usd"]), _pct(r["gross_margin_pct"]),
                money(r["subsidy_received_usd"]), money(r["subsidy_paid_usd"]), _pct(r["losses_covered_pct"]))
               for r in plans], "no plan has revenue this month"),
    ])


def ai_section(data: ReportData) -> Section:
    s = data.sections
    by_feature, by_model, trend = s["ai_by_feature"], s["ai_by_model"], s["unit_trend"]
    priced = [r for r in trend if r["llm_cost_per_1k_tokens_usd"] is not None]
    cached = [r for r in by_model if r["cache_hit_rate"] is not None]
    return Section("ai", f"AI cost, last 30 days ({data.window_start} .. {data.day})", charts=[
        *_chart("ai-by-feature", "LLM cost by feature", by_feature,
                lambda: "what each feature's LLM calls cost per day, after the true-up to the providers' invoices.",
                lambda: charts.daily_stacked(by_feature, "feature_id", "cost_usd", "feature")),
        *_chart("ai-by-model", "LLM cost by model", by_model,
                lambda: "the same dollars per provider and model.",
                lambda: charts.daily_stacked(by_model, "model", "cost_usd", "model")),
        *_chart("cost-per-1k-tokens", "Cost per 1,000 tokens", priced,
                lambda: f"AI cost per 1,000 tokens (input + output): "
                        f"{money(priced[-1]['llm_cost_per_1k_tokens_usd'], UNIT_COST_PLACES)} "
                        f"on {priced[-1]['usage_date']}.",
                lambda: charts.daily_lines(priced, "llm_cost_per_1k_tokens_usd", "USD per 1k tokens",
                                           axis_format="$,.6f")),
        *_chart("cache-hit-rate", "Prompt cache hit rate by model", cached,
                lambda: "the share of input tokens read from the provider's cache: higher is cheaper.",
                lambda: charts.daily_lines(cached, "cache_hit_rate", "cache hit rate", series="model",
                                           axis_format=".0%")),
    ])


def unit_cost_section(data: ReportData) -> Section:
    rows = data.sections["feature_unit_cost"]
    return Section("unit-cost", "Cost per request, per feature", charts=[
        *_chart("cost-per-request", "Cost per use (a request or an LLM call) per feature", rows,
                lambda: "each feature's whole cost that day divided by its uses: a rising line is a feature getting "
                "dearer per request.",
                lambda: charts.daily_lines(rows, "cost_per_use_usd", "USD per use", series="feature_id",
                                           axis_format="$,.6f")),
    ])


def today_section(data: ReportData) -> Section:
    s = data.sections
    budgets = s["budgets"]
    return Section("today", f"Today ({data.day}): anomalies and budgets", charts=[
        *_chart("budget-burn", f"Budget burn, quarter from {data.quarter}", budgets,
                lambda: "spend to date (dark), projected quarter end at the last week's run rate (light), "
                        "budget (tick).",
                lambda: charts.budget_bullets(budgets)),
    ], tables=[
        Table("anomalies", "Anomalies and kill-switch candidates", ("scope", "id", "severity", "cost",
                                                                     "7-day average", "ratio"),
              [(r["scope_type"], r["scope_id"], r["severity"], money(r["cost_usd"]),
                money(r["trailing_7d_avg_usd"]), "–" if r["ratio"] is None else f"{r['ratio']:.1f}×")
               for r in s["anomalies"]], f"no anomaly on {data.day}"),
        Table("budgets-table", "Budgets", ("feature", "scope", "budget", "spent", "projected", "projected %",
                                           "status"),
              [(r["feature_id"], r["scope"], money(r["budget_usd"]), money(r["spend_to_date_usd"]),
                money(r["projected_spend_usd"]), _pct(r["projected_pct_of_budget"]), r["status"]) for r in budgets],
              "no budget for this quarter"),
    ])


def unattributed_section(data: ReportData) -> Section:
    rows = data.sections["unattributed"]
    return Section("unattributed", "Not yet attributed, and how current each source is", charts=[
        *_chart("unattributed-cost", "Idle and unallocated cost per day", rows,
                lambda: "idle capacity and cost no rule found an owner for: the dollars no tenant holds yet.",
                lambda: charts.unattributed_area(rows)),
    ], tables=[
        Table("freshness", "Source freshness", ("kind", "source", "first day", "last delivery", "last built day",
                                                "days missing", "days behind"),
              [(r["source_kind"], r["source_name"], r["first_usage_date"], r["last_usage_date"],
                r["last_built_date"], r["days_missing"], r["days_behind"])
               for r in data.sections["freshness"]], "no source has delivered yet"),
    ])


SECTIONS = (month_section, tenants_section, ai_section, unit_cost_section, today_section, unattributed_section)


def report_sections(data: ReportData) -> list[Section]:
    return [build(data) for build in SECTIONS]
