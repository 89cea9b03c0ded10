"""One synthetic zone through the whole pipeline under three allocation policies (the config's `allocation:` block):
under each the ledger equals the truth every day and pods + idle = billed compute on every node-day, and the tenants'
totals move exactly as the policy says."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from dagster_project.cli import run_pipeline
from synthetic import generate

pytestmark = pytest.mark.slow

START = date(2026, 10, 1)
DAYS = 3
END = START + timedelta(days=DAYS - 1)
NANO = Decimal("0.000000001")
SUPPORT = ["AWSSupportBusiness", "AWSSupportEnterprise", "AWSSupportDeveloper"]
# fixed support shares, an even platform split per cluster, NAT by requests, tax per account, search by tokens
POLICY_C = {
    "idle": "share_by_node",
    "rules": [
        {"id": "support", "match": {"service": SUPPORT}, "method": "fixed", "shares": {"t001": 0.7, "t002": 0.3}},
        {"id": "platform", "match": {"namespace": ["kube-system", "monitoring"]}, "method": "even", "scope": "cluster"},
        {"id": "network", "match": {"usage_type": ["%NatGateway%"]}, "method": "requests"},
        {"id": "tax", "match": {"line_item_type": ["Tax"]}, "scope": "account"},
        # a typo'd namespace: it moves nothing, and the run says so (a warning naming the rule, not a stop)
        {"id": "ghost", "match": {"namespace": ["kube-sytem"]}, "method": "even"},
    ],
    "shared_workloads": {"default": "requests", "features": {"search": "tokens"}},
}


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("policies")
    return generate(root, START, DAYS, 8, seed=5)


RUNS: dict = {}  # each policy's run result, by name


def run_with_policy(zone: Path, name: str, allocation: dict | None) -> Path:
    """The zone's config with its own warehouse and `allocation`; returns the pipeline's warehouse file."""
    raw = yaml.safe_load(zone.read_text())
    raw["warehouse"] = {"path": f"warehouse_{name}/unitcost.duckdb",
                        "serving_path": f"warehouse_{name}/unitcost_serving.duckdb"}
    if allocation is not None:
        raw["allocation"] = allocation
    config = zone.parent / f"unitcost_{name}.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run_pipeline(str(config), START, END, raise_on_error=False)
    assert result.success, f"the {name} run failed"
    RUNS[name] = result
    return zone.parent / f"warehouse_{name}" / "unitcost.duckdb"


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_conserves(warehouse: Path) -> None:
    days = query(warehouse, "select usage_date, source_id, diff_usd from marts.bill_reconciliation_daily")
    assert {d for d, _, _ in days} == {START + timedelta(days=i) for i in range(DAYS)}
    assert all(diff == 0 for _, _, diff in days), [r for r in days if r[2] != 0]
    # per node-day pods + idle = B, and the pieces the ledger reads (idle moved between nodes) sum to B per day
    assert query(warehouse, """
        select n.usage_date, n.instance_id from intermediate.int_node_costs_summed n
        left join (select usage_date, instance_id, sum(allocated_usd) a from intermediate.int_pod_costs_reconciled
                   group by 1, 2) p using (usage_date, instance_id)
        where n.billed_compute_cost <> coalesce(p.a, 0)""") == []
    assert query(warehouse, """
        select usage_date from intermediate.int_node_costs_summed group by 1
        having sum(billed_compute_cost) <> (select sum(amount_usd) from intermediate.int_pod_costs_owned o
                                            where o.usage_date = int_node_costs_summed.usage_date)""") == []


def totals(warehouse: Path, where: str = "true") -> dict[str, Decimal]:
    return dict(query(warehouse, f"select tenant_id, sum(amount_usd) from marts.cost_ledger where {where} group by 1"))


def exact_split(amount: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """docs/allocation.md, Exact splits: round half away from zero to 9 decimals, the residual to the largest weight."""
    total = sum(weights.values())
    pieces = {k: (amount * w / total).quantize(NANO, ROUND_HALF_UP) for k, w in weights.items()}
    pieces[min(weights, key=lambda k: (-weights[k], k))] += amount - sum(pieces.values())
    return pieces


def test_idle_share_gives_every_idle_dollar_to_the_pods_and_moves_nothing_else(zone):
    keep = run_with_policy(zone, "default", None)
    share = run_with_policy(zone, "share", {"idle": "share"})
    for warehouse in (keep, share):
        assert_conserves(warehouse)
    kept_idle = totals(keep)["__idle__"]
    assert kept_idle > 0, "the generated cluster has idle capacity"
    assert "__idle__" not in totals(share)
    # idle never weighs and is split apart from the pods' own cost: every other dollar lands where it did
    assert totals(share, "cost_type <> 'idle'") == totals(keep, "cost_type <> 'idle' and tenant_id <> '__idle__'")
    # so each tenant grows by exactly the idle it received, and all of them together by exactly the idle
    grown = {t: a - totals(keep).get(t, Decimal(0)) for t, a in totals(share).items()}
    assert grown == {t: a for t, a in totals(share, "cost_type = 'idle'").items()}
    assert sum(grown.values()) == kept_idle
    assert query(share, "select distinct rule_id from marts.cost_ledger where cost_type = 'idle'") == [("idle_share",)]
    assert query(share, "select sum(amount_usd) from marts.allocation_breakdown where rule_id = 'idle_share' "
                        "and method = 'share' and from_tenant_id = '__idle__'") == [(kept_idle,)]


def test_fixed_even_requests_and_share_by_node_policy(zone):
    warehouse = run_with_policy(zone, "policy_c", POLICY_C)
    assert_conserves(warehouse)
    assert query(warehouse, "select rule_order, rule_id, method, scope from raw.allocation_policy_rules order by 1") == [
        (1, "support", "fixed", "all"), (2, "platform", "even", "cluster"), (3, "network", "requests", "all"),
        (4, "tax", "proportional", "account"), (5, "ghost", "even", "all")]
    # the rule no dollar matched is reported by the run's warning check, by name and match
    unmatched = [e for e in RUNS["policy_c"].get_asset_check_evaluations()
                 if e.check_name == "assert_every_policy_rule_matches"]
    assert [(e.passed, e.severity.value) for e in unmatched] == [(False, "WARN")]
    assert unmatched[0].metadata["dagster_dbt/failed_row_count"].value == 1
    # its row (rule and match) is kept in the warehouse for whoever reads the warning
    assert query(warehouse, "select rule_id, match from dbt_test__audit.assert_every_policy_rule_matches") == [
        ("ghost", "namespace=kube-sytem")]
    assert query(warehouse, "select count(*) from marts.cost_ledger where rule_id = 'ghost'") == [(0,)]

    # support: each day the listed tenants get exactly their shares of the support rows, nobody else any
    support = dict(query(warehouse, "select usage_date, sum(amount_usd) from intermediate.int_costs_attributed "
                                    "where rule_id = 'support' group by 1"))
    assert len(support) == DAYS and all(a > 0 for a in support.values())
    got = defaultdict(dict)
    for day, tenant, amount in query(warehouse, "select usage_date, tenant_id, sum(amount_usd) from marts.cost_ledger "
                                                "where rule_id = 'support' group by 1, 2"):
        got[day][tenant] = amount
    for day, amount in support.items():
        expected = exact_split(amount, {"t001": Decimal("0.7"), "t002": Decimal("0.3")})
        assert got[day].keys() == expected.keys() and sum(got[day].values()) == amount
        # the tenant's piece is split again over its features: one nano-dollar of rounding per piece at most
        assert all(abs(got[day][t] - expected[t]) <= NANO for t in expected), (day, got[day], expected)

    # platform, even per cluster-day: the tenants with direct cost on the cluster get the same (± rounding)
    recipients = []
    for day, n, low, high in query(warehouse, """
            select usage_date, count(*), min(a), max(a) from (
                select usage_date, to_tenant_id, sum(amount_usd) a from marts.allocation_breakdown
                where rule_id = 'platform' group by 1, 2) group by 1"""):
        direct = query(warehouse, "select count(distinct owner_tenant_id) from intermediate.int_costs_attributed "
                                  "where usage_date = ? and cluster is not null and allocation = 'direct' "
                                  "and owner_tenant_id <> '__unallocated__'", [day])[0][0]
        assert n == direct and high - low <= 2 * NANO, (day, n, direct, low, high)
        recipients.append(n)
    assert len(recipients) == DAYS and max(recipients) > 1

    # share_by_node: all node idle is in the ledger as idle, added to pods or kept where a node had no pod with cost
    node_idle = query(warehouse, "select sum(allocated_usd) from intermediate.int_pod_costs_reconciled "
                                 "where recipient_kind = 'idle'")[0][0]
    assert sum(totals(warehouse, "cost_type = 'idle'").values()) == node_idle
    methods = dict(query(warehouse, "select distinct rule_id, method from marts.allocation_breakdown "
                                    "where rule_id in ('support', 'platform', 'network', 'tax', 'idle_share')"))
    assert methods == {"support": "fixed", "platform": "even", "network": "requests", "tax": "proportional",
                       "idle_share": "share_by_node"}
    assert {r for (r,) in query(warehouse, "select distinct rule_id from marts.cost_ledger")} >= {
        "support", "platform", "tax", "shared_workload_requests", "idle_share"}
