"""Property-based allocation of bill rows (hypothesis), batched (tests/reliability/batched_zone.py): one example is
many scenarios in ONE pipeline run, each its own payer account and tenant names (s<k>-...). Random bill rows - cost,
hour, a tenant tag or none, a feature tag or none - and the ledger: the day sums to the bill
(bill_reconciliation_daily), every tenant's cells sum to its own rows, every untagged dollar is `__unallocated__`,
and no cell is negative (no credits are drawn). Nodes, pods, policies and LLM calls:
test_cluster_policy_llm_properties.py."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from batched_zone import BATCHED, DAY, assert_ledger_is_the_bill, assert_negative_only_from_credits, payer, query, \
    run_day, write_zone
from hypothesis import given
from hypothesis import strategies as st
from test_bill_ingest import cur2_row

pytestmark = pytest.mark.slow

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
            rows.append(cur2_row(f"{cost:.2f}", f"{DAY}T{hour:02d}:00:00", identity_line_item_id=f"s{k}-{i}",
                                 bill_payer_account_id=payer(k), resource_tags=tags))
            if tenant is None:
                untagged += cost
            else:
                per_tenant[f"s{k}-t{tenant}"] += cost
    return rows, dict(per_tenant), untagged


@BATCHED
@given(scenarios=SCENARIOS)
def test_random_bills_allocate_every_dollar_once(tmp_path_factory, scenarios):
    root = tmp_path_factory.mktemp("alloc")
    rows, per_tenant, untagged = _bill_rows(scenarios)
    run_day(write_zone(root, rows))

    assert_ledger_is_the_bill(root, sum(per_tenant.values(), Decimal(0)) + untagged)
    got = dict(query(root, "select tenant_id, sum(amount_usd) from marts.cost_ledger "
                           "where tenant_id not like '\\_\\_%' escape '\\' group by 1"))
    assert got == per_tenant
    assert query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger "
                       "where tenant_id = '__unallocated__'") == [(untagged,)]
    assert_negative_only_from_credits(root, Decimal(0))
