"""The marts that compare days (anomalies, budget run rates, prorated revenue) when a run builds only some days
(docs/marts.md): an unbuilt day is never read as $0, and building the earlier days later rebuilds what they affect.
The company of tests/test_alerts.py: 10.00 a day on Oct 1 .. 8, 60.00 on Oct 9, MRR 100, a 100 October budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest
from test_alerts import write_spike_company

from dagster_project.cli import run_pipeline

pytestmark = pytest.mark.slow


def marts(root, sql):
    with duckdb.connect(str(root / "warehouse" / "unitcost_serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_backfill_of_the_earlier_days_brings_the_spike_its_trailing_week(tmp_path):
    root = tmp_path / "company"
    config = write_spike_company(root)

    # Oct 5 .. 9 first: Oct 9's week before (Oct 2 .. 8) is not all built, so no day is compared
    assert run_pipeline(str(config), date(2026, 10, 5), date(2026, 10, 9), raise_on_error=False).success
    assert marts(root, "select * from marts.cost_anomalies") == []
    # 5 of 31 days built: MRR 100 x 5 / 31 against 100 of cost
    assert marts(root, "select days_in_data, revenue_usd, total_cost_usd from marts.tenant_gross_margin_monthly") == [
        (5, Decimal("16.129032258"), Decimal("100.000000000"))]
    # the run rate over the 5 built days, 20.00, for each of the 87 days not built (4 before them, 83 after)
    assert marts(root, "select days_built, run_rate_days, run_rate_usd, projected_spend_usd, status "
                       "from marts.budget_burn_quarterly") == [
        (5, 5, Decimal("20.000000000"), Decimal("1840.000000000"), "over")]

    # then Oct 1 .. 4: the run rebuilds the anomalies of its days and of the seven after them, Oct 9 among them
    assert run_pipeline(str(config), date(2026, 10, 1), date(2026, 10, 4), raise_on_error=False).success
    assert marts(root, "select usage_date, scope_type, scope_id, cost_usd, trailing_7d_avg_usd, severity "
                       "from marts.cost_anomalies order by scope_type") == [
        (date(2026, 10, 9), "feature", "chat", Decimal("60.000000000"), Decimal("10.000000000"), "kill_switch"),
        (date(2026, 10, 9), "tenant", "acme", Decimal("60.000000000"), Decimal("10.000000000"), "kill_switch")]
    assert marts(root, "select days_in_data, revenue_usd from marts.tenant_gross_margin_monthly") == [
        (9, Decimal("29.032258065"))]
