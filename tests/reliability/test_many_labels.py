"""100,000 distinct owner tag values in one day's bill (docs/allocation.md: a tag names the owner): every value
becomes its own tenant in the ledger with exactly its rows' cost, and the day conserves. The run's time at this
size is in BENCHMARKS.md (measured, not asserted)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_bill_ingest import cur2_row, write_cur2_delivery  # noqa: E402
from test_bill_pipeline import query, write_config  # noqa: E402

from dagster_project.cli import run_pipeline  # noqa: E402

pytestmark = pytest.mark.slow

VALUES = 100_000


def test_100000_distinct_tenant_tags_each_get_their_own_cost(tmp_path):
    # row i: tenant t<i>, (i mod 1000 + 1) cents. Σ = 100 × (1 + 2 + … + 1000) cents = 100 × 500,500 cents
    rows = [cur2_row(f"{(i % 1000 + 1) / 100:.2f}", identity_line_item_id=f"li-{i}",
                     resource_tags=[("user_tenant", f"t{i:06d}")]) for i in range(VALUES)]
    write_cur2_delivery(tmp_path / "landing" / "cur", "2026-10", "exec-1", [rows], "20261004T010000Z")
    config = write_config(tmp_path, "{uri: landing/cur, name: cur}")

    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 2), raise_on_error=False).success

    assert query(tmp_path, "select count(distinct tenant_id), count(*), sum(amount_usd) from marts.cost_ledger") == [
        (VALUES, VALUES, Decimal("500500.000000000"))]
    assert query(tmp_path, "select tenant_id, amount_usd from marts.cost_ledger where tenant_id in "
                           "('t000000', 't000999', 't001000', 't099999') order by 1") == [
        ("t000000", Decimal("0.010000000")), ("t000999", Decimal("10.000000000")),
        ("t001000", Decimal("0.010000000")), ("t099999", Decimal("10.000000000"))]
    assert query(tmp_path, "select count(*) from marts.cost_ledger where tenant_id like '\\_\\_%' escape '\\'") == [
        (0,)]  # nothing idle or unallocated: every row carried its tag
    assert query(tmp_path, "select diff_usd from marts.bill_reconciliation_daily") == [(Decimal("0E-9"),)]
