"""README.md's "Follow one dollar" quotes figures of the demo (2026-10-03, tenant t021). Each is read back here from
the demo as `make demo` builds it, so the walk-through cannot drift from what the pipeline computes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
DAY = "2026-10-03"


def _section() -> str:
    text = README.read_text()
    start = text.index("## Follow one dollar")
    return text[start : text.index("\n## ", start + 1)]


def _ledger(con, cost_source: str, source_id: str, category: str) -> Decimal:
    (amount,) = con.execute(
        "select sum(amount_usd) from marts.cost_ledger where usage_date = ? and tenant_id = 't021'"
        " and feature_id = 'chat' and cost_source = ? and source_id = ? and cost_type = 'direct' and category = ?",
        [DAY, cost_source, source_id, category],
    ).fetchone()
    return amount


@pytest.fixture(scope="module")
def serving(demo):
    with duckdb.connect(str(demo.serving), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def pipeline(demo):
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        yield con


def _quoted(figure: str) -> None:
    assert f"**{figure}**" in _section(), f"README's Follow one dollar no longer quotes {figure}"


def test_the_cur_lines_ledger_row_and_the_tenants_database_cost(serving):
    _quoted("12.850967740")
    _quoted("13.723497683")
    assert _ledger(serving, "cloud", "cur", "database") == Decimal("12.850967740")
    (database,) = serving.execute(
        "select database_cost_usd from marts.tenant_daily_cost where usage_date = ? and tenant_id = 't021'", [DAY]
    ).fetchone()
    assert database == Decimal("13.723497683")


def test_the_pod_days_reconciled_share_and_its_ledger_row(pipeline, serving):
    _quoted("1.099093083")
    _quoted("2.626053083")
    pod = re.search(r"pod\s+`(tenant-t021/chat-backend-[^`]+)`", _section()).group(1)
    namespace, name = pod.split("/")
    (billed, allocated) = pipeline.execute(
        "select billed_compute_cost, allocated_usd from intermediate.int_pod_costs_reconciled"
        " where usage_date = ? and namespace = ? and pod = ?",
        [DAY, namespace, name],
    ).fetchone()
    assert billed == Decimal("6.633600000")
    assert allocated == Decimal("1.099093083")
    assert _ledger(serving, "kubernetes", "cur", "compute") == Decimal("2.626053083")


def test_the_llm_calls_price_and_its_ledger_row(pipeline, serving):
    _quoted("0.021297900")
    _quoted("3.561889800")
    (priced, uncached, cache_read, output) = pipeline.execute(
        "select priced_cost_usd, uncached_input_tokens, cache_read_input_tokens, output_tokens"
        " from intermediate.int_llm_calls_priced where event_id like '18d1a792-%' and usage_date = ?",
        [DAY],
    ).fetchone()
    assert (uncached, cache_read, output) == (2346, 2433, 902)
    assert priced == Decimal("0.021297900")
    assert _ledger(serving, "llm", "llm:anthropic", "ai_tokens") == Decimal("3.561889800")
