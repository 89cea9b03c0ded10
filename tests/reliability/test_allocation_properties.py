"""Property-based allocation (hypothesis), batched: one example is many scenarios in ONE pipeline run, each scenario
its own payer account and its own tenant names (s<k>-...), so a dbt build is paid per example, not per scenario.
Random bill rows - cost, hour, a tenant tag or none, a feature tag or none - and the ledger: every day sums to the
bill (bill_reconciliation_daily), every tenant's cells sum to its own rows, every untagged dollar is
`__unallocated__`, and no cell is negative (no credits are drawn).

What this does not draw (said here so nobody reads more into it): Kubernetes nodes and pods, allocation policies
and LLM calls; those splits are covered by the hand-computed dbt unit tests (tests/test_allocation_dbt.py)."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_bill_ingest import cur2_row, write_cur2_delivery  # noqa: E402
from test_bill_pipeline import query, write_config  # noqa: E402

from dagster_project.cli import run_pipeline  # noqa: E402

pytestmark = pytest.mark.slow

DAY = date(2026, 10, 2)
ROW = st.tuples(st.integers(1, 10**6),  # cents
                st.integers(0, 23),  # hour of DAY
                st.none() | st.integers(0, 2),  # tenant tag: none, or one of the scenario's 3 tenants
                st.none() | st.sampled_from(["chat", "search"]))
SCENARIOS = st.lists(st.lists(ROW, min_size=1, max_size=12), min_size=15, max_size=25)


def _bill_rows(scenarios) -> tuple[list[dict], dict[str, Decimal], Decimal]:
    """The CUR rows of every scenario, the cost per tenant, and the untagged cost."""
    rows, per_tenant, untagged = [], defaultdict(Decimal), Decimal(0)
    for k, scenario in enumerate(scenarios):
        for i, (cents, hour, tenant, feature) in enumerate(scenario):
            cost = Decimal(cents) / 100
            tags = ([("user_tenant", f"s{k}-t{tenant}")] if tenant is not None else []) + (
                [("user_feature", feature)] if feature else [])
            rows.append(cur2_row(f"{cost:.2f}", f"2026-10-02T{hour:02d}:00:00", identity_line_item_id=f"s{k}-{i}",
                                 bill_payer_account_id=f"{k + 1:012d}", resource_tags=tags))
            if tenant is None:
                untagged += cost
            else:
                per_tenant[f"s{k}-t{tenant}"] += cost
    return rows, dict(per_tenant), untagged


@settings(max_examples=2, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios=SCENARIOS)
def test_random_bills_allocate_every_dollar_once(tmp_path_factory, scenarios):
    root = tmp_path_factory.mktemp("alloc")
    rows, per_tenant, untagged = _bill_rows(scenarios)
    write_cur2_delivery(root / "landing" / "cur", "2026-10", "exec-1", [rows], "20261004T010000Z")
    config = write_config(root, "{uri: landing/cur, name: cur}")
    assert run_pipeline(str(config), DAY, DAY, raise_on_error=False).success

    total = sum(per_tenant.values(), Decimal(0)) + untagged
    assert query(root, "select sum(amount_usd) from marts.cost_ledger") == [(total,)]
    assert query(root, "select effective_cost_usd, diff_usd from marts.bill_reconciliation_daily") == [
        (total, Decimal(0))]
    got = dict(query(root, "select tenant_id, sum(amount_usd) from marts.cost_ledger "
                           "where tenant_id not like '\\_\\_%' escape '\\' group by 1"))
    assert got == per_tenant
    assert query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger "
                       "where tenant_id = '__unallocated__'") == [(untagged,)]
    assert query(root, "select count(*) from marts.cost_ledger where amount_usd < 0") == [(0,)]
