"""The business tables: tenants with their plan, monthly revenue (enterprise MRR from what the tenant actually
costs) and a monthly budget per LLM feature for every month of the quarters the window touches. Built after the
ground truth, from its totals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .build import Model
from .common import LLM_FEATURES, month_start, named_rng, q


def business_tables(model: Model, tenant_cost: dict[str, Decimal], feature_llm_cost: dict[str, Decimal]):
    """tenants, revenue and budgets rows. tenant_cost: Σ truth over the window per tenant."""
    rng = named_rng(model.seed, "business")
    months = sorted({month_start(d) for d in model.window})
    tenants_rows = [(t.id, t.name, t.plan) for t in sorted(model.tenants, key=lambda t: t.id)]
    revenue_rows = []
    mrr: dict[str, Decimal] = {}
    for t in sorted(model.tenants, key=lambda t: t.id):
        monthly_cost = tenant_cost.get(t.id, Decimal(0)) * 30 / model.days
        if t.plan == "free":
            mrr[t.id] = Decimal(0)
        elif t.plan == "starter":
            mrr[t.id] = Decimal(rng.choice((49, 99, 199)))
        elif t.plan == "pro":
            mrr[t.id] = Decimal(rng.choice((499, 799, 999, 1499)))
        else:
            markup = Decimal(str(rng.uniform(1.4, 2.6)))
            mrr[t.id] = max(Decimal(5000), q(monthly_cost * markup / 100, Decimal(1)) * 100)
    for m in months:
        for t in sorted(model.tenants, key=lambda t: t.id):
            revenue_rows.append((m.strftime("%Y-%m"), t.id, f"{mrr[t.id]:.2f}"))
    # budgets are set ahead for whole quarters (the pipeline sums them per quarter): every month of each quarter the
    # window touches, the window's own months first so their draws do not depend on the quarter's other months
    quarter_months = {q for m in months for q in _quarter_months(m)}
    budget_rows = []
    for m in months + sorted(quarter_months - set(months)):
        for f in LLM_FEATURES:
            est = feature_llm_cost.get(f, Decimal(0)) * 30 / model.days
            budget = max(Decimal(100), q(est * Decimal(str(rng.uniform(0.9, 1.4))) / 100, Decimal(1)) * 100)
            budget_rows.append((m.strftime("%Y-%m"), f, f"{budget:.2f}"))
    return tenants_rows, revenue_rows, budget_rows


def _quarter_months(m: date) -> list[date]:
    first = (m.month - 1) // 3 * 3 + 1
    return [date(m.year, first + k, 1) for k in range(3)]
