"""Business CSVs: tenants, monthly revenue, feature budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from ingest.business import parse_budgets_csv, parse_revenue_csv, parse_tenants_csv
from ingest.errors import LandingFileError
from ingest.schemas import BUDGETS, REVENUE, TENANTS

REVENUE_HEADER = b"month,tenant_id,mrr_usd\n"
BUDGETS_HEADER = b"month,feature_id,budget_usd,scope\n"


def test_tenants():
    data = "\ufefftenant_id,tenant_name,plan,notes\nacme,Acme Corp,enterprise,x\nglobex,,starter,\n".encode()
    frame = parse_tenants_csv(data, "business/tenants.csv")
    assert frame.schema == pl.Schema(TENANTS)
    assert frame.rows() == [
        ("acme", "Acme Corp", "enterprise", "business/tenants.csv"),
        ("globex", None, "starter", "business/tenants.csv"),
    ]


def test_revenue_months_and_exact_amounts():
    data = b"tenant_id,month,mrr_usd\nacme,2026-10,1250.10\nglobex,2026-10-15,99.0000000005\nacme,2026-11,0\n"
    frame = parse_revenue_csv(data, "revenue.csv")
    assert frame.schema == pl.Schema(REVENUE)
    assert frame.select("usage_month", "tenant_id", "mrr_usd").rows() == [
        (date(2026, 10, 1), "acme", Decimal("1250.100000000")),
        (date(2026, 10, 1), "globex", Decimal("99.000000001")),  # half away from zero, from the text
        (date(2026, 11, 1), "acme", Decimal("0E-9")),
    ]
    text_total = Decimal("1250.10") + Decimal("99.000000001") + Decimal("0")
    assert frame["mrr_usd"].sum() == text_total


def test_budgets():
    frame = parse_budgets_csv(b"month,feature_id,budget_usd\n2026-10,search,5000\n", "budgets.csv")
    assert frame.schema == pl.Schema(BUDGETS)
    assert frame.rows() == [(date(2026, 10, 1), "search", "ai", Decimal("5000.000000000"), "budgets.csv")]


def test_budget_scope_defaults_to_ai_and_a_feature_may_have_both():
    data = b"month,feature_id,budget_usd,scope\n2026-10,chat,700,\n2026-10,chat,2500.5,TOTAL\n2026-11,chat,800,ai\n"
    frame = parse_budgets_csv(data, "budgets.csv")
    assert frame.select("usage_month", "feature_id", "scope", "budget_usd").rows() == [
        (date(2026, 10, 1), "chat", "ai", Decimal("700.000000000")),
        (date(2026, 10, 1), "chat", "total", Decimal("2500.500000000")),
        (date(2026, 11, 1), "chat", "ai", Decimal("800.000000000")),
    ]


@pytest.mark.parametrize(
    ("parser", "data", "message"),
    [
        (parse_tenants_csv, b"tenant_name,plan\nAcme,pro\n", "missing required column 'tenant_id'"),
        (parse_revenue_csv, b"month,tenant_id\n2026-10,acme\n", "missing required column 'mrr_usd'"),
        (parse_budgets_csv, b"feature_id,budget_usd\nsearch,1\n", "missing required column 'month'"),
        (parse_revenue_csv, REVENUE_HEADER + b"Oct 2026,acme,1\n", "line 2, column month: 'Oct 2026' is not YYYY-MM"),
        (parse_revenue_csv, REVENUE_HEADER + b"2026-10,acme,$1\n", "line 2, column mrr_usd: '$1' is not a decimal"),
        (parse_revenue_csv, REVENUE_HEADER + b"2026-10,,1\n", "line 2, column tenant_id: empty"),
        (parse_revenue_csv, REVENUE_HEADER + b"2026-10,a,1\n2026-10-01,a,2\n", "line 3: tenant_id 'a' in 2026-10"),
        (parse_tenants_csv, b"tenant_id,plan\na,x\na,y\n", "line 3, column tenant_id: 'a' already appears on line 2"),
        (parse_tenants_csv, b"tenant_id,tenant_name\nacme,Acme\n", "missing required column 'plan'"),
        (parse_tenants_csv, b"tenant,plan\nacme,pro\n", "missing required column 'tenant_id'"),
        (parse_revenue_csv, b"month,tenant_id,mrr\n2026-10,acme,1\n", "missing required column 'mrr_usd'"),
        (parse_budgets_csv, b"", "empty file"),
        (parse_budgets_csv, BUDGETS_HEADER + b"2026-10,chat,1,cloud\n",
         "line 2, column scope: 'cloud' is not empty or one of ai, total"),
        (parse_budgets_csv, BUDGETS_HEADER + b"2026-10,chat,1,\n2026-10,chat,2,ai\n",
         "line 3: feature_id 'chat' scope 'ai' in 2026-10 already appears on line 2"),
        (parse_budgets_csv, BUDGETS_HEADER + b"2026-10,chat,-5,total\n", "line 2, column budget_usd: a budget cannot be negative"),
        (parse_budgets_csv, BUDGETS_HEADER + b"2026-13,chat,5,total\n", "line 2, column month: '2026-13' is not YYYY-MM"),
        (parse_budgets_csv, BUDGETS_HEADER + b"2026-10,chat,five,total\n", "line 2, column budget_usd: 'five' is not a decimal"),
    ],
)
def test_bad_business_files_name_file_line_and_column(parser, data, message):
    with pytest.raises(LandingFileError) as excinfo:
        parser(data, "business/x.csv")
    assert excinfo.value.path == "business/x.csv"
    assert message in str(excinfo.value)
